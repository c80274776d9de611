import GRDB

/// The tables of leases (`lease`, `lease_resource`): who holds which blobs, snapshots and
/// images while an operation runs, as containerd's leases do. A lease row names its owner
/// process (pid, start time, boot id), so a lease whose owner died is found and dropped.
enum LeaseRow {
    /// Creates the tables (the `v5-leases` migration), and the table of the snapshots a build
    /// cache record keeps.
    static func createTables(_ db: Database) throws {
        try db.create(table: "lease") { t in
            t.primaryKey("id", .text)
            t.column("pid", .integer).notNull()
            t.column("started", .integer).notNull()
            t.column("boot", .text).notNull()
            t.column("created", .double).notNull()
            t.column("purpose", .text).notNull()
        }
        try db.create(table: "lease_resource") { t in
            t.column("lease", .text).notNull().references("lease", onDelete: .cascade)
            t.column("kind", .text).notNull()
            t.column("name", .text).notNull()
            t.primaryKey(["lease", "kind", "name"])
        }
        try db.create(index: "lease_resource_by_name", on: "lease_resource", columns: ["kind", "name"])
        try db.create(table: "build_cache_snapshot") { t in
            t.column("key", .text).notNull().references("build_cache", onDelete: .cascade)
            t.column("snapshot", .text).notNull()
            t.primaryKey(["key", "snapshot"])
        }
    }
}

/// What a lease can hold.
public enum LeaseResource: Sendable, Hashable {
    /// A blob, by digest: held before it is written or found present, so no collection takes it
    /// before something names it.
    case blob(String)
    /// A snapshot, by row id (which committing keeps).
    case snapshot(Int64)
    /// An image's manifest or index, by digest: its blobs and layer snapshots stay, and
    /// pruning treats the image as in use (a container runs it).
    case image(String)

    var kind: String {
        switch self {
        case .blob: "blob"
        case .snapshot: "snapshot"
        case .image: "image"
        }
    }

    var name: String {
        switch self {
        case .blob(let digest), .image(let digest): digest
        case .snapshot(let id): String(id)
        }
    }
}
