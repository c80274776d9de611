import ArgumentParser
import Foundation
import Hoist

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove unused images (like docker image prune).",
        discussion: """
            Without --all only dangling images (those that lost their name to a newer \
            image) go; with it every image no container uses.

            Filters narrow what is removed; an image must meet all of them:
              until=<time>            created at or before <time>: a duration back from
                                      now (24h, 90m, 1h30m), unix seconds, or an RFC 3339
                                      date-time (2024-05-01T10:00:00Z)
              label=<key>[=<value>]   has the label (with that value)
              label!=<key>[=<value>]  has not
              dangling=true|false     has no name, or has one
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Remove every image no container uses, not only dangling ones.")
    var all = false

    @Option(name: .long, help: ArgumentHelp("Only remove images that meet this condition (until=…, label=…, label!=…, dangling=…); repeatable, all must hold.", valueName: "key=value"))
    var filter: [String] = []

    @Flag(name: [.short, .long], help: "Do not ask for confirmation.")
    var force = false

    func run() async throws {
        try await reportingErrors {
            if !force {
                let what = all ? "all images without at least one container associated to them" : "all dangling images"
                guard confirm("WARNING! This will remove \(what).") else { return }
            }
            let report = try await global.client().pruneImages(all: all, filters: filter)
            Self.printRemovals(report)
            print("Total reclaimed space: \(Display.size(report.reclaimedBytes))")
        }
    }

    /// `Deleted Images:` and what went, then a blank line, as Docker prints an image prune.
    static func printRemovals(_ report: PruneReport) {
        guard !report.removals.isEmpty else { return }
        print("Deleted Images:")
        for removal in report.removals {
            switch removal {
            case .untagged(let reference): print("untagged: \(reference.familiarString)")
            case .deleted(let id): print("deleted: \(id)")
            }
        }
        print("")
    }
}
