import ArgumentParser
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
            RemoveImageCommand.self, PruneCommand.self, SystemCommand.self, S2ICommand.self, NetworkCommand.self, VolumeCommand.self,
            GenerateCommand.self,
        ])

    /// Runs the command as ArgumentParser does, with ``CrashReport`` installed first.
    static func main() async {
        CrashReport.install(commandLine: CommandLine.arguments)
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
