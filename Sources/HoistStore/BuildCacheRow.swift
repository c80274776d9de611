import Foundation
import GRDB

/// A row of `build_cache`: what a build step's cache key produced, as the build engine encoded
/// it, with the blobs it holds on to in `build_cache_blob` so garbage collection keeps them.
struct BuildCacheRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "build_cache"
    var key: String
    var result: Data
    var created: Double
    var used: Double

    static func createTables(_ db: Database) throws {
        try db.create(table: databaseTableName) { t in
            t.primaryKey("key", .text)
            t.column("result", .blob).notNull()
            t.column("created", .double).notNull()
            t.column("used", .double).notNull()
        }
        try db.create(table: "build_cache_blob") { t in
            t.column("key", .text).notNull().references(databaseTableName, onDelete: .cascade)
            t.column("digest", .text).notNull()
            t.primaryKey(["key", "digest"])
        }
    }
}

/// A row of `stat_cache`: the digest of a file's contents the last time it had this size,
/// modification time and inode, so an unchanged build context is not read again.
struct StatCacheRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "stat_cache"
    var path: String
    var size: Int64
    var modified: Int64
    var inode: Int64
    var digest: String

    static func createTable(_ db: Database) throws {
        try db.create(table: databaseTableName) { t in
            t.primaryKey("path", .text)
            t.column("size", .integer).notNull()
            t.column("modified", .integer).notNull()
            t.column("inode", .integer).notNull()
            t.column("digest", .text).notNull()
        }
    }
}
