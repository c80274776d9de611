import ArgumentParser
import Foundation
import Hoist

/// `hoist system prune`, as `docker system prune`: stopped containers, unused networks (with
/// `--volumes` unused volumes), then dangling images (with `-a` every image no container uses),
/// each part's deletions listed as Docker lists them, and the space reclaimed.
struct SystemPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused data: stopped containers, unused networks, dangling (-a: unused) images, and with --volumes unused volumes.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Remove every image no container uses, not only dangling ones.")
    var all = false

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var force = false

    @Flag(help: "Remove volumes no container uses too.")
    var volumes = false

    @Option(help: ArgumentHelp("Only remove what meets this condition: until=<time>, label=<key>[=<value>], label!=<key>[=<value>]; repeatable.", valueName: "key=value"))
    var filter: [String] = []

    /// What Docker's prompt lists, in its words.
    var warning: String {
        var lines = ["WARNING! This will remove:", "  - all stopped containers", "  - all networks not used by at least one container"]
        if volumes { lines.append("  - all volumes not used by at least one container") }
        lines.append(all ? "  - all images without at least one container associated to them" : "  - all dangling images")
        lines.append(all ? "  - all build cache" : "  - all dangling build cache")
        if !filter.isEmpty { lines += ["", "  Items to be pruned will be filtered with:"] + filter.map { "  - \($0)" } }
        return lines.joined(separator: "\n") + "\n"
    }

    func run() async throws {
        try await reportingErrors {
            let conditions = try Self.containerConditions(filter)
            if !force {
                guard confirm(warning) else { return }
            }
            let client = try await global.client()
            let backend = client.containerBackend
            var deleted: [String] = []
            for container in try await backend.containers(all: true) where !container.state.isRunning && conditions(container) {
                try await backend.removeContainer(container.id, force: false)
                deleted.append(container.id)
            }
            if !deleted.isEmpty { print("Deleted Containers:\n" + deleted.joined(separator: "\n") + "\n") }
            // Hoist's networks keep no labels or creation time: a filtered prune leaves them.
            if filter.isEmpty {
                let networks = try await client.native.pruneNetworks()
                if !networks.isEmpty { print("Deleted Networks:\n" + networks.joined(separator: "\n") + "\n") }
            }
            if volumes {
                let removed = try client.native.pruneVolumes()
                if !removed.isEmpty { print("Deleted Volumes:\n" + removed.joined(separator: "\n") + "\n") }
            }
            let report = try await client.pruneImages(all: all, filters: filter)
            PruneCommand.printRemovals(report)
            print("Total reclaimed space: \(Display.size(report.reclaimedBytes))")
        }
    }

    /// The containers `filters` let go: created before `until`, with (`label=`) or without
    /// (`label!=`) a label; other keys are refused, as Docker's container prune refuses them.
    static func containerConditions(_ filters: [String]) throws -> (ContainerSummary) -> Bool {
        var tests: [(ContainerSummary) -> Bool] = []
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else { throw ValidationError("bad format of filter (expected name=value)") }
            var key = String(filter[..<equals])
            let value = String(filter[filter.index(after: equals)...])
            let negated = key.hasSuffix("!")
            if negated { key.removeLast() }
            switch key {
            case "until" where !negated:
                let limit = try FilterTime.parse(value)
                tests.append { $0.created < limit }
            case "label":
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                let wanted: (ContainerSummary) -> Bool = { container in
                    guard let found = container.labels[parts.first ?? ""] else { return false }
                    return parts.count < 2 || found == parts[1]
                }
                tests.append(negated ? { !wanted($0) } : wanted)
            default:
                throw ValidationError("invalid filter '\(key)'")
            }
        }
        return { container in tests.allSatisfy { $0(container) } }
    }
}
