import Foundation
import GRDB

/// A row of the `snapshot` table: one snapshot of one snapshotter. Its files live in
/// `snapshots/ID/` (ID is the row id, unique across snapshotters).
struct SnapshotRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "snapshot"
    var id: Int64?
    /// Which snapshotter owns it (`overlay`, `copy`): each has its own key namespace.
    var snapshotter: String
    var key: String
    var kind: String
    /// The parent's row id; the database refuses to delete a parent that has children.
    var parentID: Int64?
    var created: Double
    /// The labels as a JSON object.
    var labels: String

    init(id: Int64?, snapshotter: String, key: String, kind: String, parentID: Int64?, created: Double, labels: String) {
        self.id = id
        self.snapshotter = snapshotter
        self.key = key
        self.kind = kind
        self.parentID = parentID
        self.created = created
        self.labels = labels
    }

    /// Read by column, not through `Decodable`, which costs more than the query.
    init(row: Row) throws {
        id = row["id"]
        snapshotter = row["snapshotter"]
        key = row["key"]
        kind = row["kind"]
        parentID = row["parentID"]
        created = row["created"]
        labels = row["labels"]
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// Creates the table (the `v2-snapshots` migration).
    static func createTable(_ db: Database) throws {
        try db.create(table: databaseTableName) { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("snapshotter", .text).notNull()
            t.column("key", .text).notNull()
            t.column("kind", .text).notNull()
            t.column("parentID", .integer).indexed().references(databaseTableName, onDelete: .restrict)
            t.column("created", .double).notNull()
            t.column("labels", .text).notNull()
            t.uniqueKey(["snapshotter", "key"])
        }
    }

    static func encode(labels: [String: String]) -> String {
        // Build steps' snapshots have none: no encoder for them.
        guard !labels.isEmpty else { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(labels)) ?? Data("{}".utf8), as: UTF8.self)
    }

    var decodedLabels: [String: String] {
        guard labels != "{}" else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:]
    }
}
