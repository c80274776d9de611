import ArgumentParser
import Hoist

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait for containers to end and print their exit codes.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            print(try await global.client().containerBackend.waitContainer(name))
        }
    }
}
