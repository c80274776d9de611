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
            let loaded = try await global.client().load(archive: URL(fileURLWithPath: input))
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
