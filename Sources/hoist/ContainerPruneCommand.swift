import ArgumentParser
import Foundation
import Hoist

/// `hoist container prune`: removes every container that is not running, as
/// `docker container prune` does, listing their IDs.
struct ContainerPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            if !force {
                guard confirm("WARNING! This will remove all stopped containers.") else { return }
            }
            let backend = try await global.client().containerBackend
            var deleted: [String] = []
            for container in try await backend.containers(all: true)
            where !container.state.isRunning {
                try await backend.removeContainer(container.id, force: false)
                deleted.append(container.id)
            }
            if !deleted.isEmpty { print("Deleted Containers:\n" + deleted.joined(separator: "\n") + "\n") }
            print("Total reclaimed space: 0B")
        }
    }
}

/// Asks `warning` + "Are you sure you want to continue? [y/N]" on the terminal, as Docker's
/// prune commands do; true only for y/yes.
func confirm(_ warning: String) -> Bool {
    // Unbuffered, so that the question shows before the answer is read.
    FileHandle.standardOutput.write(Data("\(warning)\nAre you sure you want to continue? [y/N] ".utf8))
    guard let line = readLine() else {
        print("")
        return false
    }
    return ["y", "yes"].contains(line.trimmingCharacters(in: .whitespaces).lowercased())
}
