public import Foundation
import GRDB
public import HoistOCI

extension Store {
    /// The encoded result recorded for a build cache key, or nil; marks the record used.
    public func buildCacheResult(for key: Digest) throws -> Data? {
        try database.write { db in
            guard var row = try BuildCacheRow.fetchOne(db, key: key.description) else { return nil }
            row.used = Date().timeIntervalSince1970
            try row.update(db)
            return row.result
        }
    }

    /// Records `result` (opaque to the store) for `key`, keeping `blobs` alive while the record exists.
    public func recordBuildCacheResult(_ result: Data, for key: Digest, blobs: [Digest]) throws {
        let now = Date().timeIntervalSince1970
        try database.write { db in
            try BuildCacheRow(key: key.description, result: result, created: now, used: now).save(db)
            try db.execute(sql: "DELETE FROM build_cache_blob WHERE key = ?", arguments: [key.description])
            for digest in Set(blobs) {
                try db.execute(sql: "INSERT INTO build_cache_blob (key, digest) VALUES (?, ?)",
                               arguments: [key.description, digest.description])
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

    /// The remembered content digest of the file at `path` if it still has this size,
    /// modification time (ns) and inode.
    public func cachedFileDigest(path: String, size: Int64, modified: Int64, inode: Int64) throws -> Digest? {
        try database.read { db in
            guard let row = try StatCacheRow.fetchOne(db, key: path), row.size == size, row.modified == modified,
                  row.inode == inode
            else { return nil }
            return try? Digest(parsing: row.digest)
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
