#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import GRDB
import HoistOCI

/// The bookkeeping every snapshotter shares: rows in the `snapshot` table, the lifecycle rules
/// (parents are committed, committed snapshots never change, a parent outlives its children)
/// and the `snapshots/ID/` directories. Snapshotters add what their files and mounts look like.
final class SnapshotCatalog: Sendable {
    /// A snapshot as its snapshotter needs it: the row and its ancestors' ids.
    struct Entry {
        var row: SnapshotRow
        /// The ids of the parent, grandparent … (newest first).
        var ancestors: [Int64]
        var id: Int64 { row.id! }
        var kind: SnapshotKind { SnapshotKind(rawValue: row.kind) ?? .active }
    }

    let snapshotter: String
    let directory: URL
    private let database: MetadataDatabase
    /// The store, for the lease that holds what is created now.
    private let store: Store

    init(snapshotter: String, store: Store) throws {
        self.snapshotter = snapshotter
        self.store = store
        directory = store.root.snapshots
        database = store.database
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        removeLeftovers()
    }

    /// Deletes what a crash can leave under `snapshots/`: directories being removed and scratch
    /// directories (once an hour old), and snapshot directories whose row is gone. A row is always written before
    /// its directory, so a directory without one is never a snapshot being prepared.
    private func removeLeftovers() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        // Another process may be using a young scratch directory (an overlay probe, a diff).
        let hourAgo = Date().addingTimeInterval(-3600)
        let scratch = names.filter { name in
            guard name.hasPrefix("removing-") || name.hasPrefix("empty-") || name.hasPrefix("probe-") else { return false }
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            return (attributes?[.modificationDate] as? Date).map { $0 < hourAgo } ?? false
        }
        let numbered = names.compactMap { Int64($0) }
        var orphans: [Int64] = []
        if !numbered.isEmpty, let ids = try? database.read({ db in try Int64.fetchSet(db, sql: "SELECT id FROM snapshot") }) {
            orphans = numbered.filter { !ids.contains($0) }
        }
        for name in scratch + orphans.map(String.init) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// `snapshots/ID`.
    func path(_ id: Int64) -> String { directory.appendingPathComponent(String(id)).path }
    /// `snapshots/ID/fs`: the snapshot's own files (an overlay upper or a full tree).
    func filesystem(_ id: Int64) -> String { path(id) + "/fs" }
    /// `snapshots/ID/work`: overlayfs' work directory.
    func work(_ id: Int64) -> String { path(id) + "/work" }

    /// Adds an active snapshot or a view on `parent` (which must be committed), and lets
    /// `populate` fill its `fs` directory; on any failure nothing is left behind. The running
    /// operation's lease holds it (and so its parents) from the transaction that creates it.
    func create(
        _ kind: SnapshotKind, key: SnapshotKey, parent: SnapshotKey?, labels: [String: String],
        populate: (Entry) throws -> Void
    ) throws -> Entry {
        let entry: Entry
        do {
            entry = try database.write { db in
                if try row(key, db) != nil {
                    throw StoreError(.alreadyExists, "snapshot \(key) already exists")
                }
                var ancestors: [Int64] = []
                if let parent {
                    guard let parentEntry = try self.entry(parent, db) else {
                        throw StoreError(.notFound, "parent snapshot \(parent) does not exist")
                    }
                    guard parentEntry.kind == .committed else {
                        throw StoreError(.failedPrecondition, "parent snapshot \(parent) is \(parentEntry.kind.rawValue), not committed")
                    }
                    ancestors = [parentEntry.id] + parentEntry.ancestors
                }
                var row = SnapshotRow(
                    id: nil, snapshotter: snapshotter, key: key.rawValue, kind: kind.rawValue, parentID: ancestors.first,
                    created: Date().timeIntervalSince1970, labels: SnapshotRow.encode(labels: labels))
                try row.insert(db)
                try store.activeLease.hold([.snapshot(row.id!)], db)
                return Entry(row: row, ancestors: ancestors)
            }
        } catch let error as StoreError where error.code == .internal {
            // A concurrent prepare of the same key loses on the unique index.
            if (try? self.entry(key)) != nil { throw StoreError(.alreadyExists, "snapshot \(key) already exists") }
            throw error
        }
        // Outside the transaction: a copy can take long, and must not hold up other writers.
        do {
            try FileManager.default.createDirectory(atPath: filesystem(entry.id), withIntermediateDirectories: true)
            try populate(entry)
            return entry
        } catch {
            try? database.write { db in _ = try SnapshotRow.deleteOne(db, key: entry.id) }
            try? removeDirectory(entry.id)
            if error is StoreError { throw error }
            throw StoreError(.internal, "cannot prepare snapshot \(key)", underlying: error)
        }
    }

    /// Turns the active snapshot `key` into the committed snapshot `name`, keeping its files.
    func commit(name: SnapshotKey, key: SnapshotKey, labels: [String: String]) throws {
        try database.write { db in
            guard var row = try row(key, db) else {
                throw StoreError(.notFound, "snapshot \(key) does not exist")
            }
            guard row.kind == SnapshotKind.active.rawValue else {
                throw StoreError(.failedPrecondition, "snapshot \(key) is \(row.kind); only an active snapshot can be committed")
            }
            if name != key, try self.row(name, db) != nil {
                throw StoreError(.alreadyExists, "snapshot \(name) already exists")
            }
            row.key = name.rawValue
            row.kind = SnapshotKind.committed.rawValue
            if !labels.isEmpty { row.labels = SnapshotRow.encode(labels: row.decodedLabels.merging(labels) { $1 }) }
            try row.update(db)
        }
    }

    /// Removes `key` and its files; refuses (`failedPrecondition`) while it has children.
    func remove(_ key: SnapshotKey) throws {
        let id = try database.write { db -> Int64 in
            guard let row = try row(key, db), let id = row.id else {
                throw StoreError(.notFound, "snapshot \(key) does not exist")
            }
            let children = try SnapshotRow.filter(sql: "parentID = ?", arguments: [id]).fetchAll(db)
            guard children.isEmpty else {
                let names = children.map(\.key).sorted().joined(separator: ", ")
                throw StoreError(.failedPrecondition, "snapshot \(key) is the parent of \(names); remove those first")
            }
            try SnapshotRow.deleteOne(db, key: id)
            return id
        }
        try removeDirectory(id)
    }

    /// The snapshot called `key`; `notFound` when there is none.
    func entry(_ key: SnapshotKey) throws -> Entry {
        guard let entry = try database.read({ db in try entry(key, db) }) else {
            throw StoreError(.notFound, "snapshot \(key) does not exist")
        }
        return entry
    }

    func info(_ key: SnapshotKey) throws -> SnapshotInfo {
        try database.read { db in
            guard let row = try row(key, db) else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            return try info(row, db)
        }
    }

    func list() throws -> [SnapshotInfo] {
        try database.read { db in
            try SnapshotRow.filter(sql: "snapshotter = ?", arguments: [snapshotter]).order(sql: "key").fetchAll(db)
                .map { try info($0, db) }
        }
    }

    /// The disk `snapshots/ID/fs` takes, each inode counted once.
    func usage(_ key: SnapshotKey) throws -> SnapshotUsage {
        let entry = try entry(key)
        var usage = SnapshotUsage(size: 0, inodes: 0)
        var seen: Set<[UInt64]> = []
        func walk(_ path: String) throws {
            var status = stat()
            try systemCall("cannot stat \(path)") { lstat(path, &status) }
            guard seen.insert([UInt64(status.st_dev), UInt64(status.st_ino)]).inserted else { return }
            usage.inodes += 1
            usage.size += Int64(status.st_blocks) * 512
            guard status.st_mode & S_IFMT == S_IFDIR else { return }
            for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                try walk(path + "/" + name)
            }
        }
        try walk(filesystem(entry.id))
        return usage
    }

    // MARK: - Rows

    private func row(_ key: SnapshotKey, _ db: Database) throws -> SnapshotRow? {
        try SnapshotRow.fetchOne(
            db, sql: "SELECT * FROM snapshot WHERE snapshotter = ? AND key = ?", arguments: [snapshotter, key.rawValue])
    }

    private func entry(_ key: SnapshotKey, _ db: Database) throws -> Entry? {
        guard let row = try row(key, db) else { return nil }
        // The ancestors, parent first, in one query however long the chain (a build step's
        // snapshot has one ancestor per layer below it).
        let ancestors = try row.parentID.map { parent in
            try Int64.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE chain(id, parentID, depth) AS (
                        SELECT id, parentID, 0 FROM snapshot WHERE id = ?
                        UNION ALL
                        SELECT snapshot.id, snapshot.parentID, chain.depth + 1 FROM snapshot JOIN chain ON snapshot.id = chain.parentID)
                    SELECT id FROM chain ORDER BY depth
                    """,
                arguments: [parent])
        } ?? []
        return Entry(row: row, ancestors: ancestors)
    }

    private func info(_ row: SnapshotRow, _ db: Database) throws -> SnapshotInfo {
        let parent = try row.parentID.flatMap { try SnapshotRow.fetchOne(db, key: $0) }.map { try SnapshotKey($0.key) }
        return SnapshotInfo(
            key: try SnapshotKey(row.key), kind: SnapshotKind(rawValue: row.kind) ?? .active, parent: parent,
            created: Date(timeIntervalSince1970: row.created), labels: row.decodedLabels)
    }

    /// Moves `snapshots/ID` aside first, so a crash mid-delete never leaves a half tree under
    /// a live id, then deletes it.
    private func removeDirectory(_ id: Int64) throws {
        let doomed = directory.appendingPathComponent("removing-\(id)-\(UUID().uuidString)").path
        guard rename(path(id), doomed) == 0 else {
            if errno == ENOENT { return }
            throw StoreError(errnoCode(errno), "cannot remove snapshot directory \(path(id)): \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            throw StoreError(.internal, "cannot remove snapshot directory \(doomed)", underlying: error)
        }
    }
}
