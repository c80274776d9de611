import ArgumentParser
import Hoist

struct CommitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Make an image of a container's files and settings; prints the image ID.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Apply a Dockerfile instruction (CMD, ENV, …) to the config; repeatable.", valueName: "instruction"))
    var change: [String] = []

    @Option(name: [.short, .long], help: "The history comment.")
    var message: String?

    @Option(name: [.short, .long], help: "The author.")
    var author: String?

    @Argument(help: "The container's name or ID.")
    var container: String

    @Argument(help: "The image's name.")
    var reference: String?

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            print(try await client.containerBackend.commit(container, as: reference, changes: change, message: message, author: author))
        }
    }
}
