import ArgumentParser
import Foundation
import Hoist

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a container wrote: its stdout to stdout, its stderr to stderr.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Keep printing new output until the container ends.")
    var follow = false

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    func run() async throws {
        try await reportingErrors {
            let backend = try await global.client().containerBackend
            var written = (output: 0, error: 0)
            while true {
                let running = try await backend.container(container).state.isRunning
                let logs = try await backend.containerLogs(container)
                FileHandle.standardOutput.write(logs.standardOutputData.dropFirst(written.output))
                FileHandle.standardError.write(logs.standardErrorData.dropFirst(written.error))
                written = (logs.standardOutputData.count, logs.standardErrorData.count)
                guard follow, running else { return }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }
}
