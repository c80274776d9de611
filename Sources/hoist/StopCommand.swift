import ArgumentParser
import Hoist

struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop", abstract: "Stop running containers: their stop signal (SIGTERM unless --stop-signal or STOPSIGNAL said otherwise), then SIGKILL after a grace period.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before killing (default: the container's --stop-timeout, else 10).")
    var time: Int?

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await Self.stop(name, on: try await global.client(), timeout: time)
            print(name)
        }
    }

    /// Stops `name`: without a timeout, the container's own stop timeout, else 10 seconds.
    static func stop(_ name: String, on client: Client, timeout: Int?) async throws {
        try await client.containerBackend.stopContainer(name, timeout: timeout)
    }
}
