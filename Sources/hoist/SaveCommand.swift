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
            // Bars on a terminal only: piped, docker save prints nothing, and neither does this.
            let printer = ProgressRenderer(mode: ProgressRenderer.terminalOnly(), title: "Saving")
            let client = try await global.client()
            try await printer.finishing {
                try await client.save(images, format: format, to: URL(fileURLWithPath: output), progress: printer.transferReporter)
            }
        }
    }
}
