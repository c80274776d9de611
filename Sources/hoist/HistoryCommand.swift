import ArgumentParser
import Foundation
import Hoist
import HoistOCI

/// `hoist history IMAGE` (also `hoist image history`): the image's build history, newest
/// first, as `docker history` lists it: the image's ID on the newest step and `<missing>` on
/// the steps whose images are not in the store, and each layer's stored size.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.customShort("H"), .long], inversion: .prefixedNo, help: "Print sizes and dates in human-readable form.")
    var human = true

    @Flag(name: .long, help: "Do not truncate the CREATED BY column.")
    var noTrunc = false

    @Flag(name: [.short, .long], help: "Show only image IDs.")
    var quiet = false

    @Option(name: .long, help: "A Go template over ID, CreatedAt, CreatedSince, CreatedBy, Size, Comment ('table ' before it adds a header).")
    var format: String?

    @Argument(help: "The image's name or ID.", completion: NameCompletion.images)
    var image: String

    func run() async throws {
        try await reportingErrors {
            let details = try await global.client().inspect(image)
            let rows = Self.rows(details)
            if quiet {
                for row in rows { print(row.id) }
                return
            }
            let items: [[String: Any]] = rows.map { row in
                [
                    "ID": row.id, "CreatedAt": row.created.map(Display.timestamp) ?? "",
                    "CreatedSince": row.created.map { human ? Display.age(since: $0) : Display.timestamp($0) } ?? "",
                    "CreatedBy": noTrunc ? row.createdBy : Self.truncated(row.createdBy), "Size": human ? Display.size(row.size) : String(row.size),
                    "Comment": row.comment,
                ]
            }
            let template = format ?? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
            print(try OutputTemplate(listing: template).render(items, headers: ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedBy": "CREATED BY"]),
                  terminator: "")
        }
    }

    struct Row {
        var id: String
        var created: Date?
        var createdBy: String
        var size: Int64
        var comment: String
    }

    /// Newest first; the layers matched to the history entries that made them, in order.
    static func rows(_ details: ImageDetails) -> [Row] {
        var layers = details.layers[...]
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        var rows: [Row] = []
        let history = details.history ?? details.layers.map { _ in HistoryEntry() }
        for entry in history {
            let size = entry.madeLayer ? layers.popFirst()?.size ?? 0 : 0
            let created = entry.created.flatMap { iso.date(from: $0) ?? plain.date(from: $0) }
            rows.append(Row(id: "<missing>", created: created, createdBy: entry.createdBy ?? "", size: size, comment: entry.comment ?? ""))
        }
        rows.reverse()
        if !rows.isEmpty { rows[0].id = details.id.shortID }
        return rows
    }

    /// Docker's 45-character cut with an ellipsis.
    static func truncated(_ text: String) -> String {
        text.count > 45 ? String(text.prefix(44)) + "…" : text
    }
}
