import ArgumentParser
import Hoist

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start kept containers in the background.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Container names or IDs.", completion: NameCompletion.containers)
    var containers: [String]

    func run() async throws {
        try await eachContainer(containers) { name in
            try await global.client().containerBackend.startContainer(name)
            print(name)
        }
    }
}

/// Runs `body` for every container named, going on after a failure (reported as `hoist: …`)
/// and failing at the end if any did, as Docker's commands on several containers do.
func eachContainer(_ names: [String], _ body: (String) async throws -> Void) async throws {
    var failed = false
    for name in names {
        do {
            try await reportingErrors(status: containerFailureStatus) { try await body(name) }
        } catch {
            failed = true
        }
    }
    if failed { throw ExitCode.failure }
}
