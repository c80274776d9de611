import ArgumentParser
import Foundation
import Hoist

struct DiskUsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "df",
        abstract: "Show the disk the store uses (like docker system df).",
        discussion: """
            Sizes count each stored blob once, however many images share it. RECLAIMABLE is \
            what removing the unused images (hoist prune --all) or the build cache would free.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: table (default) or json.")
    var format: String = "table"

    func run() async throws {
        try await reportingErrors {
            let usage = try await global.client().native.diskUsage()
            switch format {
            case "json":
                print(try Display.json(usage))
            case "table":
                let lines: [(String, DiskUsage.Usage, Bool)] = [
                    ("Images", usage.images, true), ("Containers", usage.containers, true), ("Build Cache", usage.buildCache, false),
                ]
                var rows = [["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]]
                for (name, line, showsShare) in lines {
                    var reclaimable = Display.size(line.reclaimable)
                    // Docker gives the share of the size for images and containers only.
                    if showsShare, line.size > 0 { reclaimable += " (\(line.reclaimable * 100 / line.size)%)" }
                    rows.append([name, "\(line.total)", "\(line.active)", Display.size(line.size), reclaimable])
                }
                print(Display.table(rows))
            default:
                throw ValidationError("unknown format \"\(format)\": use table or json")
            }
        }
    }
}
