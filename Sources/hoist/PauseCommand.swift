import ArgumentParser
import Hoist

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Freeze every process of running containers (the runtime's freezer), as docker pause.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.pauseContainer(name)
            print(name)
        }
    }
}
