import ArgumentParser
import Foundation
import Hoist

@main
struct HoistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hoist",
        abstract: "Build OCI images and run containers, without a daemon.",
        version: HoistVersion.current,
        subcommands: [
            BuildCommand.self, RunCommand.self, ImagesCommand.self, InspectCommand.self, ImportCommand.self, LoadCommand.self, SaveCommand.self,
            PullCommand.self, PushCommand.self, LoginCommand.self, LogoutCommand.self, TagCommand.self,
            CreateCommand.self, StartCommand.self, PsCommand.self, LogsCommand.self, ExecCommand.self, KillCommand.self,
            StopCommand.self, WaitCommand.self, RmCommand.self, CopyCommand.self, CommitCommand.self,
            RemoveImageCommand.self, PruneCommand.self, SystemCommand.self, InfoCommand.self, VersionCommand.self,
            RestartCommand.self, PortCommand.self, PauseCommand.self, UnpauseCommand.self, RenameCommand.self, TopCommand.self,
            StatsCommand.self, HistoryCommand.self, ImageCommand.self, ContainerCommand.self, S2ICommand.self, NetworkCommand.self, VolumeCommand.self,
            GenerateCommand.self, BuildLogsCommand.self, DebugCommand.self,
        ])

    /// Runs the command as ArgumentParser does, with ``CrashReport`` installed first, the global
    /// options written before the verb taken as Docker's are (``LeadingGlobalOptions``), and
    /// usage errors exiting as Docker's CLI does (ArgumentParser's own code is 64).
    static func main() async {
        CrashReport.install(commandLine: CommandLine.arguments)
        do {
            var environment: [String: String] = [:]
            let arguments = try LeadingGlobalOptions.take(Array(CommandLine.arguments.dropFirst()), into: &environment)
            for (name, value) in environment { setenv(name, value, 1) }
            DebugLogging.bootstrap(environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
            var command = try parseAsRoot(BuildLogsCommand.routed(arguments))
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            // A command's own status (a container's, or a template's 64), never a usage error.
            exit(withError: code)
        } catch {
            guard exitCode(for: error).rawValue == ExitCode.validationFailure.rawValue else { exit(withError: error) }
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(withError: ExitCode(Self.usageErrorStatus(message)))
        }
    }

    /// Docker's CLI exits 125 for a bad flag and 1 for a wrong number of arguments (cobra's
    /// argument checks are plain errors there); ArgumentParser words the latter so.
    static func usageErrorStatus(_ message: String) -> Int32 {
        let argumentCount = ["Missing expected argument", "Unexpected argument"]
        return argumentCount.contains { message.contains($0) } ? 1 : 125
    }
}
