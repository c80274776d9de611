import ArgumentParser
import Hoist

struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to running containers.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "The signal: KILL (default), TERM, SIGHUP, 9 …")
    var signal = "KILL"

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.killContainer(name, signal: signal)
            print(name)
        }
    }
}
