import ArgumentParser
import Foundation
import Hoist

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load images from a Docker archive or an OCI-layout tar (plain, gzip or zstd).")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "The archive to read.")
    var input: String

    @Flag(name: [.short, .long], help: "Print nothing.")
    var quiet = false

    func run() async throws {
        try await reportingErrors {
            // Bars on a terminal only, as docker load draws them; piped, only the loaded names.
            let printer = ProgressRenderer(mode: quiet ? .quiet : ProgressRenderer.terminalOnly(), title: "Loading")
            let client = try await global.client()
            let loaded = try await printer.finishing {
                try await client.load(archive: URL(fileURLWithPath: input), progress: printer.transferReporter)
            }
            guard !quiet else { return }
            for image in loaded {
                if let reference = image.reference {
                    print("Loaded image: \(reference.familiarString)")
                } else {
                    print("Loaded image ID: \(image.id)")
                }
            }
        }
    }
}
