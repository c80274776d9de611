import ArgumentParser
import Foundation
import Hoist

/// `hoist debug STEP`: a shell on the terminal in a container on the state a `RUN` step of the
/// last build ran in, as `hoist build --on-error=shell` opens for a step that fails.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Open a shell on the state a RUN step of the last build ran in.",
        discussion: "The step's input files, mounts (secrets excepted: they are not kept), environment, user and working directory; its command is in the shell's history and in $HOIST_FAILED_COMMAND. Writes go when the shell exits. The last build must have been a Dockerfile's, its Dockerfile unchanged. Exits with the shell's exit code.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A step of the last build: its number, its name as progress shows it ([2/3] RUN make), or a part only one step's name has.")
    var step: String

    func run() async throws {
        guard isatty(STDIN_FILENO) == 1 else { throw ValidationError("hoist debug needs a terminal on standard input") }
        let code = try await reportingErrors {
            let client = try await global.client()
            let status = StatusBox()
            try await client.debugStep(step) { step in
                FileHandle.standardError.write(Data("hoist: a shell on the state \(step.name) ran in (the command is in its history and in $HOIST_FAILED_COMMAND):\n".utf8))
                do {
                    status.set(try await DebugShell.run { size, output in try await step.startShell(terminal: size, standardOutput: output) })
                } catch {
                    FileHandle.standardError.write(Data("hoist: cannot open a shell on the step: \(error)\n".utf8))
                    status.set(1)
                }
            }
            return status.value
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// The shell's exit code, set from the handler.
    private final class StatusBox: @unchecked Sendable {
        private let lock = NSLock()
        private var code: Int32 = 0
        func set(_ value: Int32) { lock.withLock { code = value } }
        var value: Int32 { lock.withLock { code } }
    }
}
