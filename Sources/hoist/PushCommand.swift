import ArgumentParser
import Foundation
import Hoist
import HoistOCI

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload an image to a registry.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: .long, help: "Progress output: auto, tty, plain, rawjson or quiet.")
    var progress: ProgressRenderer.Mode = .auto

    @Option(name: .long, help: ArgumentHelp("Upload blobs in chunks of this many bytes instead of one request each.", valueName: "bytes"))
    var chunkSize: Int?

    @Argument(help: "The image to push, e.g. localhost:5000/app:1.", completion: NameCompletion.images)
    var name: String

    @Argument(help: "Where to push it, when not to its own name.")
    var destination: String?

    func validate() throws {
        if let chunkSize, chunkSize < 1 {
            throw ValidationError("--chunk-size \(chunkSize): expected a positive number of bytes")
        }
    }

    func run() async throws {
        try await reportingErrors {
            var configuration = registry.configuration
            configuration.uploadChunkSize = chunkSize
            let printer = ProgressRenderer(mode: progress)
            let client = try await global.client()
            if client.backend == .docker {
                let pushed = try await client.pushThroughDaemon(
                    name, to: destination, configuration: configuration, progress: printer.daemonReporter)
                let reference = try Reference(parsing: pushed.reference)
                print("\(reference.tag ?? reference.familiarName): digest: \(pushed.digest ?? "unknown") size: \(pushed.size.map(String.init) ?? "unknown")")
                return
            }
            let result = try await client.push(
                name, to: destination, configuration: configuration, progress: printer.transferReporter)
            print("\(result.reference.tag ?? result.reference.familiarName): digest: \(result.target.digestString) size: \(result.target.size)")
        }
    }
}
