import ArgumentParser
import Foundation
import Hoist

struct RemoveImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rmi",
        abstract: "Remove images (like docker rmi).",
        discussion: """
            A name is taken off its image, and the image is deleted with its last name. An image \
            ID (or a unique prefix of one) deletes the image with all its names; an image with \
            several names needs --force for that. An image a container uses is kept unless \
            forced. Blobs no image needs any more are deleted. Each image is tried in turn; the \
            exit status is 1 when any of them failed.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Remove an image by ID even when it has several names, or when a container uses it.")
    var force = false

    /// Docker's `--no-prune` keeps the untagged parents of an image its classic builder made.
    /// Hoist's images (like BuildKit's) have no parent images, so there is never one to keep:
    /// the flag is accepted and changes nothing.
    @Flag(name: .long, help: "Do not delete untagged parents (Hoist's images have none: accepted for Docker's habit).")
    var noPrune = false

    @Argument(help: "The images: names (busybox:latest) or IDs (full, or a unique prefix).", completion: NameCompletion.images)
    var images: [String]

    func validate() throws {
        if images.isEmpty { throw ValidationError("name at least one image to remove") }
    }

    func run() async throws {
        let client = try await reportingErrors { try await global.client() }
        var failed = false
        for name in images {
            do {
                for removal in try await client.removeImage(name, force: force) { print(removal) }
            } catch {
                // Like docker rmi: report this one and go on with the rest.
                FileHandle.standardError.write(Data("hoist: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
