public import Foundation
public import HoistBackend
public import HoistBuild

/// A `RUN` step of a build, and a container on the state it ran in: its input's files (a
/// writable snapshot, dropped afterwards), its mounts — other stages and images, the context,
/// cache mounts, secrets, SSH agents, tmpfs — and, for the processes started in it, the step's
/// environment, user and working directory. ``Client/build(_:onStepFailure:)`` hands a step
/// that failed to its handler before the build fails with the step's error, and
/// ``Client/debugStep(_:handler:)`` any step of the last build; each releases the container
/// when the handler returns (`hoist build --on-error=shell` and `hoist debug STEP` start a
/// shell there).
public struct DebuggedStep: Sendable {
    /// Where a shell started by ``startShell(terminal:standardOutput:)`` finds its history file.
    public static let historyPath = "/run/hoist-debug/history"

    /// The step's name as progress shows it (`[2/3] RUN make`).
    public let name: String
    /// The command the step ran, exec form.
    public let command: [String]
    /// Why the step failed (its exit code and last lines); nil for a step opened by
    /// ``Client/debugStep(_:handler:)``, which may have succeeded.
    public let error: BuildError?
    /// The container on the step's state.
    public let container: DebugContainer
    /// The container's files, to look for a shell in.
    let root: SolvedBuild

    /// The command as a line to type into a shell: a shell-form step's script (`sh -c SCRIPT`),
    /// else its arguments quoted for `sh`.
    public var commandLine: String { Self.commandLine(of: command) }

    static func commandLine(of command: [String]) -> String {
        if command.count == 3, command[1] == "-c", command[0].hasSuffix("sh") { return command[2] }
        return command.map(quoted).joined(separator: " ")
    }

    /// Starts an interactive shell in the container, on a terminal of `terminal`'s size: bash
    /// where the image has it, else `/bin/sh`. The failed command is in its history (the file
    /// ``historyPath``, given as `HISTFILE`: bash and shells that keep history read it — the
    /// up arrow brings it back) and in `HOIST_FAILED_COMMAND` for any shell (`eval
    /// "$HOIST_FAILED_COMMAND"` runs it again). Write what is typed to the process, resize it,
    /// and wait for it.
    public func startShell(terminal: TerminalSize, standardOutput: @escaping @Sendable (Data) -> Void) async throws -> DebugProcess {
        let shell = (try? root.stat("/bin/bash")) != nil ? "/bin/bash" : "/bin/sh"
        return try await container.start(
            [shell], environment: ["HISTFILE=\(Self.historyPath)", "HOIST_FAILED_COMMAND=\(commandLine)"], terminal: terminal,
            standardInput: .interactive, standardOutput: standardOutput)
    }

    /// `argument` as `sh` reads it back: bare when it holds only safe characters, else in single quotes.
    private static func quoted(_ argument: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !argument.isEmpty && argument.allSatisfy(safe.contains) { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
