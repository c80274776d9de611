import ArgumentParser
import Hoist

struct UnpauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Thaw paused containers, as docker unpause.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.unpauseContainer(name)
            print(name)
        }
    }
}
