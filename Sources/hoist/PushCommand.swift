import ArgumentParser
import Foundation
import Hoist
import HoistOCI
import HoistRegistry

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

    @Flag(name: [.short, .long], help: "Push every tag of the repository NAME names.")
    var allTags = false

    func validate() throws {
        // A tag is written after the last path component's colon (a registry's port is before it).
        if allTags && (destination != nil || name.contains("@") || name.split(separator: "/").last?.contains(":") == true) {
            throw ValidationError("--all-tags takes a repository without a tag or digest, and no destination")
        }
        if let chunkSize, chunkSize < 1 {
            throw ValidationError("--chunk-size \(chunkSize): expected a positive number of bytes")
        }
    }

    func run() async throws {
        try await reportingErrors {
            var configuration = registry.configuration
            configuration.uploadChunkSize = chunkSize
            let client = try await global.client()
            // Every name of the repository, pushed in turn, as `docker push --all-tags`.
            let names = allTags ? try await Self.tags(of: name, on: client) : [name]
            for name in names {
                try await Self.push(name, to: destination, client: client, configuration: configuration, progress: progress)
            }
        }
    }

    /// The repository's tags in the store (`app:1`, `app:2` for `app`); none is an error.
    static func tags(of repository: String, on client: Client) async throws -> [String] {
        let wanted = try Reference(parsing: repository)
        let names = try await client.images().compactMap(\.reference).filter { $0.familiarName == wanted.familiarName && $0.tag != nil }
        guard !names.isEmpty else { throw ClientError(.notFound, "no tags of \(repository) in the store") }
        return Array(Set(names.map(\.familiarString))).sorted()
    }

    /// Pushes `name` (to `destination` when given) with its own view of the transfer, then
    /// prints what Docker's push ends with, `TAG: digest: sha256:… size: N`, unless `silently`.
    static func push(
        _ name: String, to destination: String?, client: Client, configuration: RegistryConfiguration, progress: ProgressRenderer.Mode,
        silently: Bool = false
    ) async throws {
        let printer = ProgressRenderer(mode: progress, title: "Pushing")
        let pushed = try await printer.finishing {
            try await client.containerBackend.pushImage(
                name, to: destination, configuration: configuration, progress: printer.transferEventReporter)
        }
        if !silently {
            let reference = pushed.reference
            print("\(reference.tag ?? reference.familiarName): digest: \(pushed.digest ?? "unknown") size: \(pushed.size.map(String.init) ?? "unknown")")
        }
    }
}
