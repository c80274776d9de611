import ArgumentParser
import Hoist

/// `hoist restart`: stop (as `hoist stop`), then start again in the background, as
/// `docker restart` does; a container that is not running is just started.
struct RestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart containers: stop them, then start them.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .customLong("time")], help: "Seconds to wait for each to stop before killing it (default: its --stop-timeout, else 10).")
    var time: Int?

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            let client = try await global.client()
            if try await client.containerBackend.container(name).state.isRunning {
                try await StopCommand.stop(name, on: client, timeout: time)
            }
            try await client.containerBackend.startContainer(name)
            print(name)
        }
    }
}
