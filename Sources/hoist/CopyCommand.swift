import ArgumentParser
import Hoist

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files between a container and the host.",
        discussion: """
            One side is CONTAINER:PATH, the other a host path. A destination that is a directory \
            receives the source under its own name; otherwise the source is copied as the destination.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.customShort("L"), .long], help: "Always follow a symbolic link in the source: copy what it leads to, under its name.")
    var followLink = false

    @Flag(name: [.short, .long], help: "Archive mode: what is copied in belongs to the container's user and its group (copied out, files are yours either way, as docker cp's).")
    var archive = false

    @Argument(help: ArgumentHelp("CONTAINER:PATH or a host path.", valueName: "source"))
    var source: String

    @Argument(help: ArgumentHelp("CONTAINER:PATH or a host path.", valueName: "destination"))
    var destination: String

    /// `name:path` split at the first colon, unless it is a host path (starts with `/` or `.`).
    static func containerPath(_ text: String) -> (container: String, path: String)? {
        guard !text.hasPrefix("/"), !text.hasPrefix("."), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            switch (Self.containerPath(source), Self.containerPath(destination)) {
            case (let from?, nil):
                try await client.copyOut(from.container, from: from.path, to: destination, followLink: followLink, archive: archive)
            case (nil, let to?):
                try await client.copyIn(to.container, from: source, to: to.path, followLink: followLink, archive: archive)
            default:
                throw ValidationError("one of source and destination must be CONTAINER:PATH and the other a host path")
            }
        }
    }
}
