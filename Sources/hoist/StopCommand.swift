import ArgumentParser
import Hoist

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop running containers: their stop signal (SIGTERM unless --stop-signal or STOPSIGNAL said otherwise), then SIGKILL after a grace period.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before killing (default: the container's --stop-timeout, else 10).")
    var time: Int?

    @Argument(help: "Container names or IDs.")
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            let client = try await global.client()
            if client.backend == .native {
                try await client.stopContainer(name, timeout: time)
            } else {
                try await client.containerBackend.stopContainer(name, timeout: time ?? 10)
            }
            print(name)
        }
    }
}
