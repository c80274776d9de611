public import ArgumentParser
import Foundation
import Hoist
import HoistStore

extension ImageArchiveFormat: ExpressibleByArgument {}

struct SaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Write images to a Docker archive (default) or an OCI-layout tar.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "The file to write.")
    var output: String

    @Option(name: .long, help: "docker (what docker load reads) or oci (an OCI image layout).")
    var format: ImageArchiveFormat = .docker

    @Argument(help: "Image names or IDs.", completion: NameCompletion.images)
    var images: [String]

    func run() async throws {
        try await reportingErrors {
            try await global.client().save(images, format: format, to: URL(fileURLWithPath: output))
        }
    }
}
