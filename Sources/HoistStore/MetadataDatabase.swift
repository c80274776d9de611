import Foundation
import GRDB
import HoistOCI

/// The store's SQLite metadata (`hoist.db`, WAL mode): image names and their targets.
///
/// WAL lets readers run beside one writer, and SQLite's file locks make concurrent `hoist`
/// processes safe; every change is one transaction, so a crash leaves the old state or the new.
/// A process holds one connection (a GRDB `DatabaseQueue`): its accesses are short, and a
/// pool's second connection and its start-up write cost more than they save.
final class MetadataDatabase: Sendable {
    let queue: DatabaseQueue

    /// Opens the database at `path`, migrating it while holding the file lock at `migrationLock`
    /// so that processes opening a new store at the same moment do not migrate it twice.
    init(path: String, migrationLock: String) throws {
        var configuration = Configuration()
        // Another hoist process may hold the write lock briefly; wait for it rather than fail.
        configuration.busyMode = .timeout(30)
        configuration.label = "hoist.db"
        configuration.prepareDatabase { db in
            // Kept in the file once set: a read, not a change, for every open after the first.
            // (GRDB's own WAL set-up, a pool's, writes a transaction whenever the log file is
            // absent, which is at every process start: the last connection to close deletes it.)
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            // In WAL mode NORMAL keeps the database consistent through crashes and power loss and
            // drops the fsync from every commit; blobs, which names point at, are fsync'd anyway.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Statement journals and temporary indexes in memory, not in files under /var/tmp.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            let lock = try StoreLock(path: migrationLock, mode: .exclusive, timeout: 60)
            queue = try withExtendedLifetime(lock) {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                // Checking takes a read; migrating takes a write transaction even when there is
                // nothing to do, and every hoist process opens the store.
                let migrator = Self.migrator
                if try !queue.read(migrator.hasCompletedMigrations) {
                    try migrator.migrate(queue)
                }
                return queue
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "cannot open the metadata database \(path)", underlying: error)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "image") { t in
                t.autoIncrementedPrimaryKey("id")
                // The normalised reference, e.g. docker.io/library/busybox:latest; NULL for an
                // image that lost its last name (Docker's dangling `<none>` image).
                t.column("name", .text).unique()
                t.column("mediaType", .text).notNull()
                t.column("digest", .text).notNull().indexed()
                t.column("size", .integer).notNull()
                t.column("created", .double).notNull()
                t.column("updated", .double).notNull()
            }
        }
        migrator.registerMigration("v2-snapshots") { db in
            try SnapshotRow.createTable(db)
        }
        migrator.registerMigration("v3-build-cache") { db in
            try BuildCacheRow.createTables(db)
            try StatCacheRow.createTable(db)
        }
        migrator.registerMigration("v4-containers") { db in
            try ContainerRow.createTable(db)
        }
        migrator.registerMigration("v5-leases") { db in
            try LeaseRow.createTables(db)
        }
        migrator.registerMigration("v6-image-facts") { db in
            try ImageFactsRow.createTable(db)
        }
        return migrator
    }

    /// Runs `body` in a write transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.internal, "metadata database write failed", underlying: error)
        }
    }

    /// Runs `body` in a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`):
    /// what it reads stays true until it commits, as garbage collection needs while it deletes.
    func writeImmediately<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.internal, "metadata database write failed", underlying: error)
        }
    }

    /// Runs `body` with a consistent read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.internal, "metadata database read failed", underlying: error)
        }
    }
}

/// A row of the `image` table.
struct ImageRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "image"
    var id: Int64?
    var name: String?
    var mediaType: String
    var digest: String
    var size: Int64
    var created: Double
    var updated: Double

    init(id: Int64?, name: String?, mediaType: String, digest: String, size: Int64, created: Double, updated: Double) {
        self.id = id
        self.name = name
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.created = created
        self.updated = updated
    }

    /// Read by column, not through `Decodable`: most commands read an image row, and the
    /// first decoding of a record type costs the Swift runtime a search of every conformance.
    init(row: Row) throws {
        id = row["id"]
        name = row["name"]
        mediaType = row["mediaType"]
        digest = row["digest"]
        size = row["size"]
        created = row["created"]
        updated = row["updated"]
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
