import ArgumentParser
import Foundation
import Hoist
import HoistOCI

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download an image from a registry.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: .long, help: ArgumentHelp("The platform to pull from a multi-platform image, e.g. linux/arm64/v8 (default: this host's).", valueName: "os/arch[/variant]"))
    var platform: String?

    @Flag(name: .long, help: "Keep every platform of a multi-platform image (the name is the whole index).")
    var allPlatforms = false

    @Option(name: .long, help: "Progress output: auto, tty, plain, rawjson or quiet.")
    var progress: ProgressRenderer.Mode = .auto

    @Argument(help: "The image, e.g. busybox, localhost:5000/app:1, app@sha256:….")
    var name: String

    func validate() throws {
        if allPlatforms, platform != nil { throw ValidationError("--all-platforms and --platform cannot be used together") }
    }

    func run() async throws {
        try await reportingErrors {
            let chosen = try platform.map { try Platform(parsing: $0) }
            let printer = ProgressRenderer(mode: progress, title: "Pulling")
            let client = try await global.client()
            let pulled = try await printer.finishing {
                if allPlatforms {
                    try await client.nativeOnly("pull --all-platforms").pullAllPlatforms(
                        name, configuration: registry.configuration, progress: printer.transferEventReporter)
                } else {
                    try await client.containerBackend.pullImage(
                        name, platform: chosen, configuration: registry.configuration, progress: printer.transferEventReporter)
                }
            }
            if let digest = pulled.digest { print("Digest: \(digest)") }
            print(pulled.reference.familiarString)
        }
    }
}
