import ArgumentParser
import Foundation
import Hoist

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a command in a running container; hoist exits with its exit code.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var process: ProcessOptions

    @Flag(name: [.short, .customLong("interactive")], help: "Pass standard input to the command.")
    var interactive = false

    @Flag(name: [.short, .customLong("tty")], help: "Give the command a pseudo-terminal on hoist's own.")
    var tty = false

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String]

    func run() async throws {
        let status = try await reportingErrors(status: execFailureStatus) { () -> Int32 in
            var options = RunOptions(
                environment: try process.resolvedEnvironment(), workingDirectory: process.workdir, user: process.user,
                standardInput: interactive && !tty ? FileHandle.standardInput.readDataToEndOfFile() : nil)
            options.terminal = tty
            return try await global.client().containerBackend.exec(
                container, command, options,
                standardOutput: { FileHandle.standardOutput.write($0) },
                standardError: { FileHandle.standardError.write($0) })
        }
        if status != 0 { throw ExitCode(status) }
    }
}
