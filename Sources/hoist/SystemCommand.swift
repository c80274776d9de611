import ArgumentParser

struct SystemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Look after the store.",
        subcommands: [DiskUsageCommand.self, InfoCommand.self, SystemPruneCommand.self])
}
