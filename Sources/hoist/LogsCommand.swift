import ArgumentParser
import Foundation
import Hoist

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a container wrote: its stdout to stdout, its stderr to stderr, in the order written.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Keep printing new output until the container ends.")
    var follow = false

    @Option(name: [.customShort("n"), .long], help: "Number of lines to show from the end of the logs, or all.")
    var tail = "all"

    @Option(help: "Only lines written since this time: RFC 3339 (2013-01-02T13:23:37Z), Unix seconds, or relative (42m for 42 minutes).")
    var since: String?

    @Option(help: "Only lines written before this time: RFC 3339, Unix seconds, or relative (42m for 42 minutes ago).")
    var until: String?

    @Flag(name: [.short, .long], help: "Lead each line with the time it was written (RFC 3339 with nanoseconds, UTC).")
    var timestamps = false

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    func run() async throws {
        try await reportingErrors {
            let now = Date()
            let options = LogOptions(
                tail: LogOptions.tailCount(tail), since: try since.map { try FilterTime.parse($0, now: now) },
                until: try until.map { try FilterTime.parse($0, now: now) }, timestamps: timestamps, follow: follow)
            let backend = try await global.client().containerBackend
            try await backend.containerLogs(container, options) { entry in
                let data = options.timestamps ? entry.timestamped : entry.data
                (entry.stream == .standardError ? FileHandle.standardError : FileHandle.standardOutput).write(data)
            }
        }
    }
}
