#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import GRDB
public import HoistOCI

/// Hoist's local store: content-addressed blobs plus the names of the images made of them.
///
/// Concurrent processes may open the same root. What an operation writes is held by its
/// ``Lease`` until something names it, so garbage collection, which runs beside writers, never
/// removes a blob or snapshot that is written but not yet named; opening a store first clears
/// what processes that died left behind (``recoverDeadWork()``).
public final class Store: Sendable {
    /// Where the store lives.
    public let root: StoreRoot
    /// The blobs.
    public let content: LocalContentStore
    let database: MetadataDatabase
    /// Holds the snapshots this store's users make outside any bound lease (a debug
    /// container's), for as long as the store is open.
    let processLease: Lease

    /// Opens the store at `root`, creating it when absent, and cleans up after processes that
    /// died using it.
    public init(root: StoreRoot = .default()) throws {
        self.root = root
        // A store this user cannot write (another user's, made by `sudo hoist`, read-only) is
        // one line naming the path and the fix, not the first write's failure further on.
        do {
            try root.createDirectories()
        } catch {
            throw root.writeFailure() ?? error
        }
        if let failure = root.writeFailure() { throw failure }
        let database = try MetadataDatabase(
            path: root.database.path, migrationLock: root.locks.appendingPathComponent("migrate.lock").path)
        self.database = database
        let processLease = Lease(purpose: "process", root: root, database: database)
        self.processLease = processLease
        // A blob written outside any lease is garbage until something names it, as in containerd.
        content = try LocalContentStore(root: root) { digest in
            try Lease.current.flatMap { $0.root == root ? $0 : nil }?.hold([.blob(digest.description)])
        }
        recoverDeadWork()
    }

    // MARK: Names

    /// Every image record, named ones sorted by name first, then dangling ones.
    public func images() throws -> [ImageRecord] {
        try database.read { db in
            try ImageRow.order(sql: "name IS NULL, name").fetchAll(db).map(ImageRecord.init)
        }
    }

    /// The image called `name` (a normalised reference string), or nil.
    public func image(named name: String) throws -> ImageRecord? {
        try database.read { db in
            try ImageRow.fetchOne(db, sql: "SELECT * FROM image WHERE name = ?", arguments: [name]).map(ImageRecord.init)
        }
    }

    /// The records whose target is `digest` (the names of one image).
    public func images(target digest: Digest) throws -> [ImageRecord] {
        try database.read { db in
            try ImageRow.filter(sql: "digest = ?", arguments: [digest.description]).fetchAll(db).map(ImageRecord.init)
        }
    }

    /// Points `name` at `target`, whose blobs must be in the store. An image that loses its
    /// last name this way stays, nameless, as Docker keeps a dangling image.
    public func setName(_ name: String, target: Descriptor, created: Date) throws {
        let digest = try target.digest
        guard try content.info(digest) != nil else {
            throw StoreError(.failedPrecondition, "cannot name \(name): manifest \(digest) is not in the store")
        }
        // Naming an image again as it is named (a rebuild served from the cache) takes a read, not a write.
        let unchanged = try database.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM image WHERE name = ? AND digest = ?", arguments: [name, digest.description])
                ?? false
        }
        if unchanged { return }
        let now = Date().timeIntervalSince1970
        try database.write { db in
            let previous = try ImageRow.filter(sql: "name = ?", arguments: [name]).fetchOne(db)
            if let previous, previous.digest == digest.description { return }
            if var previous {
                let others = try ImageRow.filter(sql: "digest = ? AND id != ?", arguments: [previous.digest, previous.id])
                    .fetchCount(db)
                if others == 0 {
                    previous.name = nil
                    try previous.update(db)
                } else {
                    try previous.delete(db)
                }
            }
            // A dangling record of the same image is superseded by the name.
            try ImageRow.filter(sql: "name IS NULL AND digest = ?", arguments: [digest.description]).deleteAll(db)
            var row = ImageRow(
                id: nil, name: name, mediaType: target.mediaType.rawValue, digest: digest.description,
                size: target.size, created: created.timeIntervalSince1970, updated: now)
            try row.insert(db)
        }
    }

    /// Records an image that has no name (a load of an untagged archive), unless it has one.
    public func addUnnamed(target: Descriptor, created: Date) throws {
        let now = Date().timeIntervalSince1970
        let digest = try target.digest
        try database.write { db in
            let existing = try ImageRow.filter(sql: "digest = ?", arguments: [digest.description]).fetchCount(db)
            guard existing == 0 else { return }
            var row = ImageRow(
                id: nil, name: nil, mediaType: target.mediaType.rawValue, digest: digest.description,
                size: target.size, created: created.timeIntervalSince1970, updated: now)
            try row.insert(db)
        }
    }

    /// Removes the name `name`; returns false when there was no such name.
    @discardableResult
    public func removeName(_ name: String) throws -> Bool {
        try database.write { db in
            try ImageRow.filter(sql: "name = ?", arguments: [name]).deleteAll(db) > 0
        }
    }

    /// Removes every record (named or not) whose target is `digest`; returns how many.
    @discardableResult
    public func removeImage(target digest: Digest) throws -> Int {
        try database.write { db in
            try ImageRow.filter(sql: "digest = ?", arguments: [digest.description]).deleteAll(db)
        }
    }
}
