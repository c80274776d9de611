import ArgumentParser
import Foundation
import Hoist
import HoistOCI

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make an image from a root filesystem tar (like docker import).")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Apply a Dockerfile instruction to the config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR); repeatable.", valueName: "instruction"))
    var change: [String] = []

    @Option(name: [.short, .long], help: "The history comment.")
    var message: String?

    @Option(name: .long, help: ArgumentHelp("The platform the image is for, as docker import --platform (default: this host's).", valueName: "os/arch[/variant]"))
    var platform: String?

    @Argument(help: "The root filesystem tar (plain, gzip or zstd).")
    var file: String

    @Argument(help: "The image name, e.g. busybox:latest.")
    var name: String

    func run() async throws {
        try await reportingErrors {
            let platform = try platform.map { try Platform(parsing: $0).normalized } ?? .host
            let image = try await global.client().importImage(
                rootfs: URL(fileURLWithPath: file), as: name, changes: change, message: message, platform: platform)
            print(image.id)
        }
    }
}
