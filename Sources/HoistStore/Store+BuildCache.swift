public import Foundation
import GRDB
public import HoistOCI

extension Store {
    /// The encoded result recorded for a build cache key, or nil. A read only: a build marks
    /// what it used in one write at its end (``markBuildCacheUsed(_:)``).
    public func buildCacheResult(for key: Digest) throws -> Data? {
        try database.read { db in
            try BuildCacheRow.fetchOne(db, key: key.description)?.result
        }
    }

    /// The encoded results recorded for those of `keys` that have one, in one read.
    public func buildCacheResults(for keys: [Digest]) throws -> [Digest: Data] {
        guard !keys.isEmpty else { return [:] }
        return try database.read { db in
            var results: [Digest: Data] = [:]
            // SQLite takes at most 32,766 parameters per statement.
            for start in stride(from: 0, to: keys.count, by: 10_000) {
                let chunk = keys[start..<min(start + 10_000, keys.count)]
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT key, result FROM build_cache WHERE key IN (\(placeholders))",
                    arguments: StatementArguments(chunk.map(\.description)))
                while let row = try rows.next() {
                    guard let key = try? Digest(parsing: row["key"] as String) else { continue }
                    results[key] = row["result"]
                }
            }
            return results
        }
    }

    /// Records that the build cache records of `keys` were used at `date` (pruning keeps recent
    /// ones). As `relatime` treats access times, a record used within the hour before keeps its
    /// time: a rebuild soon after another writes nothing.
    public func markBuildCacheUsed(_ keys: [Digest], at date: Date = Date()) throws {
        guard !keys.isEmpty else { return }
        let now = date.timeIntervalSince1970
        try database.write { db in
            for start in stride(from: 0, to: keys.count, by: 10_000) {
                let chunk = keys[start..<min(start + 10_000, keys.count)]
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                var values: [(any DatabaseValueConvertible)?] = [now, now - 3600]
                values += chunk.map(\.description)
                try db.execute(
                    sql: "UPDATE build_cache SET used = ? WHERE used < ? AND key IN (\(placeholders))",
                    arguments: StatementArguments(values))
            }
        }
    }

    /// Records `result` (opaque to the store) for `key`, keeping `blobs` and the committed
    /// snapshots `snapshots` (its layers unpacked) alive while the record exists.
    public func recordBuildCacheResult(_ result: Data, for key: Digest, blobs: [Digest], snapshots: [SnapshotKey] = []) throws {
        let now = Date().timeIntervalSince1970
        try database.write { db in
            try BuildCacheRow(key: key.description, result: result, created: now, used: now).save(db)
            try db.execute(sql: "DELETE FROM build_cache_blob WHERE key = ?", arguments: [key.description])
            for digest in Set(blobs) {
                try db.execute(sql: "INSERT INTO build_cache_blob (key, digest) VALUES (?, ?)",
                               arguments: [key.description, digest.description])
            }
            try db.execute(sql: "DELETE FROM build_cache_snapshot WHERE key = ?", arguments: [key.description])
            for snapshot in Set(snapshots) {
                try db.execute(sql: "INSERT INTO build_cache_snapshot (key, snapshot) VALUES (?, ?)",
                               arguments: [key.description, snapshot.rawValue])
            }
        }
    }

    /// Drops build cache records last used before `date`; returns how many.
    @discardableResult
    public func pruneBuildCache(usedBefore date: Date) throws -> Int {
        try database.write { db in
            try BuildCacheRow.filter(sql: "used < ?", arguments: [date.timeIntervalSince1970]).deleteAll(db)
        }
    }

    /// Every blob some build cache record keeps alive.
    func buildCacheBlobs() throws -> [Digest] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT digest FROM build_cache_blob").compactMap { try? Digest(parsing: $0) }
        }
    }

    // MARK: Stat cache

    /// Every remembered file under `directory`, by path, with the stat its digest was computed
    /// under: one query for a whole build context instead of one per file.
    public func cachedFileDigests(under directory: String) throws -> [String: StatCacheEntry] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return try database.read { db in
            var result: [String: StatCacheEntry] = [:]
            // Paths under the prefix sort between it and the prefix with its last byte bumped.
            let upper = String(prefix.dropLast()) + "0"
            // Read by column, into a table sized first: a context may have tens of thousands of files.
            result.reserveCapacity(
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stat_cache WHERE path >= ? AND path < ?", arguments: [prefix, upper]) ?? 0)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT path, size, modified, inode, digest FROM stat_cache WHERE path >= ? AND path < ?",
                arguments: [prefix, upper])
            while let row = try rows.next() {
                result[row[0]] = StatCacheEntry(size: row[1], modified: row[2], inode: row[3], digest: row[4])
            }
            return result
        }
    }

    /// Remembers the content digests of files, each with the stat it was computed under.
    public func rememberFileDigests(_ entries: [(path: String, size: Int64, modified: Int64, inode: Int64, digest: Digest)]) throws {
        guard !entries.isEmpty else { return }
        try database.write { db in
            for entry in entries {
                try StatCacheRow(path: entry.path, size: entry.size, modified: entry.modified, inode: entry.inode,
                                 digest: entry.digest.description).save(db)
            }
        }
    }
}
