import ArgumentParser
import Foundation
import Hoist
import HoistS2I

struct S2IRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild", abstract: "Build again an image S2I built, from its labels.",
        discussion: """
            The builder comes from the image's io.openshift.s2i.build.image label, the source from \
            io.openshift.s2i.build.source-location (at io.openshift.s2i.build.commit.ref, in \
            io.openshift.s2i.build.source-context-dir).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var common: S2ICommonOptions
    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The image to build again.") var image: String
    @Argument(help: "The new image's name (default: IMAGE).") var newTag: String?

    func run() async throws {
        let display = try S2IDisplay(progress: common.progress, quiet: common.quiet)
        try await reportingErrors {
            let options = try common.request(source: URL(fileURLWithPath: "/"), builder: image, tag: nil, registry: registry)
            let client = try await global.client()
            let result = try await display.running {
                try await client.s2iRebuild(image, as: newTag, options: options, progress: display.progress)
            }
            if !common.quiet { print(result.imageID) }
        }
    }
}
