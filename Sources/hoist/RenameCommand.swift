import ArgumentParser
import Hoist

struct RenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container, as docker rename.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    @Argument(help: "Its new name.")
    var newName: String

    func run() async throws {
        try await reportingErrors {
            try await global.client().containerBackend.renameContainer(container, to: newName)
        }
    }
}
