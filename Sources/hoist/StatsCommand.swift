import ArgumentParser
import Foundation
import Hoist

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show containers' use of CPU, memory, network, disks and processes, as docker stats.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Show every container (default: running ones).")
    var all = false

    @Flag(name: .long, help: "Print one sample and end, instead of refreshing until interrupted.")
    var noStream = false

    @Flag(name: .long, help: "Do not truncate IDs.")
    var noTrunc = false

    @Option(name: .long, help: "Output format: table (default), json (one object per line), or a Go template such as '{{.Name}} {{.CPUPerc}}'.")
    var format: String = "table"

    @Argument(help: "Container names or IDs (default: all running ones).", completion: NameCompletion.containers)
    var containers: [String] = []

    /// Docker's default columns.
    static let defaultTable = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
    static let headers = ["ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %",
                          "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS"]

    func run() async throws {
        try await reportingErrors {
            let backend = try await global.client().containerBackend
            let template = switch format {
            case "table": Self.defaultTable
            case "json": "{{json .}}"
            default: format
            }
            let output = try OutputTemplate(listing: template)
            while true {
                // Named containers as named (the Container field), else every running one (-a: all).
                let named: [(asked: String, summary: ContainerSummary)] = containers.isEmpty
                    ? try await backend.containers(all: all).map { ($0.id, $0) }
                    : try await containers.asyncMap { ($0, try await backend.container($0)) }
                let samples = try await withThrowingTaskGroup(of: (Int, ContainerStats).self) { group in
                    for (index, entry) in named.enumerated() {
                        group.addTask { (index, try await backend.containerStats(entry.summary.id)) }
                    }
                    var samples = [ContainerStats](repeating: .zero, count: named.count)
                    for try await (index, sample) in group { samples[index] = sample }
                    return samples
                }
                let items = zip(named, samples).map { Self.item(asked: $0.asked, $0.summary, $1, truncated: !noTrunc) }
                let text = try output.render(items, headers: Self.headers)
                if noStream {
                    print(text, terminator: "")
                    return
                }
                // Docker's live view: the screen cleared and drawn again each second.
                FileHandle.standardOutput.write(Data(("\u{1B}[2J\u{1B}[H" + text).utf8))
            }
        }
    }

    /// A sample with the fields of Docker's stats template context, as its `{{json .}}` gives them.
    static func item(asked: String, _ container: ContainerSummary, _ stats: ContainerStats, truncated: Bool) -> [String: Any] {
        [
            "Container": truncated && asked == container.id ? container.shortID : asked,
            "ID": truncated ? container.shortID : container.id, "Name": container.name,
            "CPUPerc": Display.decimal(stats.cpuPercent, places: 2) + "%",
            "MemUsage": Display.binarySize(stats.memoryUsage) + " / " + Display.binarySize(stats.memoryLimit),
            "MemPerc": Display.decimal(stats.memoryPercent, places: 2) + "%",
            "NetIO": Display.size(Int64(clamping: stats.networkReceived)) + " / " + Display.size(Int64(clamping: stats.networkSent)),
            "BlockIO": Display.size(Int64(clamping: stats.blockRead)) + " / " + Display.size(Int64(clamping: stats.blockWritten)),
            "PIDs": String(stats.processes),
        ]
    }
}

extension Array {
    /// The results of `transform` on each element, in order, one after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
