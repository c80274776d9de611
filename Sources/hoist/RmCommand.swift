import ArgumentParser
import Hoist

struct RmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove containers.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Kill and remove running containers too.")
    var force = false

    @Flag(name: [.short, .long], help: "Remove the containers' anonymous volumes too (named volumes stay).")
    var volumes = false

    @Argument(help: "Container names or IDs.")
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.removeContainer(name, force: force, volumes: volumes)
            print(name)
        }
    }
}
