import Foundation
import GRDB
import HoistOCI

/// The store's SQLite metadata (`hoist.db`, WAL mode): image names and their targets.
///
/// WAL lets many readers run beside one writer, and SQLite's file locks make concurrent `hoist`
/// processes safe; every change is one transaction, so a crash leaves the old state or the new.
final class MetadataDatabase: Sendable {
    let pool: DatabasePool

    /// Opens the database at `path`, migrating it while holding the file lock at `migrationLock`
    /// so that processes opening a new store at the same moment do not migrate it twice.
    init(path: String, migrationLock: String) throws {
        var configuration = Configuration()
        // Another hoist process may hold the write lock briefly; wait for it rather than fail.
        configuration.busyMode = .timeout(30)
        configuration.label = "hoist.db"
        // In WAL mode NORMAL keeps the database consistent through crashes and power loss and
        // drops the fsync from every commit; blobs, which names point at, are fsync'd anyway.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            let lock = try StoreLock(path: migrationLock, mode: .exclusive, timeout: 60)
            pool = try withExtendedLifetime(lock) {
                let pool = try DatabasePool(path: path, configuration: configuration)
                try Self.migrator.migrate(pool)
                return pool
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
        return migrator
    }

    /// Runs `body` in a write transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.internal, "metadata database write failed", underlying: error)
        }
    }

    /// Runs `body` with a consistent read snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
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

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
