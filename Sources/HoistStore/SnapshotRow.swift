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
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(labels)) ?? Data("{}".utf8), as: UTF8.self)
    }

    var decodedLabels: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:]
    }
}
