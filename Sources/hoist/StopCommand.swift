import ArgumentParser
import Hoist

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop running containers: SIGTERM, then SIGKILL after a grace period.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before killing.")
    var time = 10

    @Argument(help: "Container names or IDs.")
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.stopContainer(name, timeout: time)
            print(name)
        }
    }
}
