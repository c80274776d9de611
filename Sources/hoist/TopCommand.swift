import ArgumentParser
import Hoist

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "List a running container's processes with the host's ps (options as ps takes them; -ef when none), as docker top.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    @Argument(parsing: .captureForPassthrough, help: "Options for ps.")
    var psOptions: [String] = []

    func run() async throws {
        try await reportingErrors {
            let list = try await global.client().containerBackend.containerProcesses(container, psArguments: psOptions)
            let text = ([list.titles] + list.processes).map { $0.joined(separator: "\t") + "\n" }.joined()
            // Docker's CLI writes through tabwriter.NewWriter(out, 20, 1, 3, ' ', 0).
            print(OutputTemplate.aligned(text, minimumWidth: 20), terminator: "")
        }
    }
}
