import ArgumentParser

/// Docker's management commands, `hoist image …` and `hoist container …`, over the same
/// commands as the short forms (`image ls` is `images`, `container ls` is `ps`).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images.",
        subcommands: [
            ImageListCommand.self, ImageRemoveCommand.self, InspectCommand.self, PullCommand.self, PushCommand.self, TagCommand.self,
            SaveCommand.self, LoadCommand.self, ImportCommand.self, PruneCommand.self, HistoryCommand.self, BuildCommand.self,
        ])
}

struct ContainerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Manage containers.",
        subcommands: [
            ContainerListCommand.self, CreateCommand.self, RunCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self,
            KillCommand.self, RmCommand.self, LogsCommand.self, ExecCommand.self, CopyCommand.self, WaitCommand.self, CommitCommand.self,
            InspectCommand.self, PortCommand.self, ContainerPruneCommand.self, PauseCommand.self, UnpauseCommand.self,
            RenameCommand.self, TopCommand.self, StatsCommand.self,
        ])
}

/// `hoist image ls` / `image list`: `hoist images`.
struct ImageListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", aliases: ["list"])
    @OptionGroup var images: ImagesCommand
    func run() async throws { try await images.run() }
}

/// `hoist image rm`: `hoist rmi`.
struct ImageRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove images.", aliases: ["remove"])
    @OptionGroup var remove: RemoveImageCommand
    func run() async throws { try await remove.run() }
}

/// `hoist container ls` / `container list` / `container ps`: `hoist ps`.
struct ContainerListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List containers.", aliases: ["list", "ps"])
    @OptionGroup var list: PsCommand
    func run() async throws { try await list.run() }
}
