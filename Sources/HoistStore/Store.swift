#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import GRDB
public import HoistOCI

/// Hoist's local store: content-addressed blobs plus the names of the images made of them.
///
/// Concurrent processes may open the same root. Operations that add blobs and then name them
/// run inside ``withWriteLease(_:)`` so that garbage collection, which takes the lease
/// exclusively, never removes blobs that are written but not yet named.
public final class Store: Sendable {
    /// Where the store lives.
    public let root: StoreRoot
    /// The blobs.
    public let content: LocalContentStore
    let database: MetadataDatabase

    /// Opens the store at `root`, creating it when absent.
    public init(root: StoreRoot = .default()) throws {
        self.root = root
        content = try LocalContentStore(root: root)
        database = try MetadataDatabase(
            path: root.database.path, migrationLock: root.locks.appendingPathComponent("migrate.lock").path)
    }

    private var leasePath: String { root.locks.appendingPathComponent("content.lock").path }

    /// A shared lease that keeps garbage collection away until it is released (deinitialised);
    /// for async work that cannot run inside ``withWriteLease(_:)``.
    public func writeLease() throws -> AnyObject {
        try StoreLock(path: leasePath, mode: .shared)
    }

    /// Runs `body` holding a shared lease that keeps garbage collection away.
    public func withWriteLease<T>(_ body: () throws -> T) throws -> T {
        let lease = try StoreLock(path: leasePath, mode: .shared)
        return try withExtendedLifetime(lease) { try body() }
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

    // MARK: Garbage collection

    /// What a garbage collection removed.
    public struct CollectionReport: Sendable, Hashable {
        /// The blobs deleted.
        public var removed: [Digest] = []
        /// The bytes they held.
        public var reclaimedBytes: Int64 = 0
    }

    /// Deletes every blob that no image record reaches, and stale ingest files. Waits for running
    /// writers (their leases) to finish first.
    @discardableResult
    public func collectGarbage() throws -> CollectionReport {
        let lock = try StoreLock(path: leasePath, mode: .exclusive)
        return try withExtendedLifetime(lock) {
            let containers = try containers()
            // Images that containers were made from stay, as Docker keeps them.
            let roots = try images().map { (mediaType: $0.target.mediaType.rawValue, digest: try $0.target.digest) }
                + containers.map { (mediaType: $0.imageTarget.mediaType.rawValue, digest: try $0.imageTarget.digest) }
            // Layers that build cache records hold stay too, so a cached step still has its layer.
            let live = try content.reachable(from: roots).union(try buildCacheBlobs())
            var report = CollectionReport()
            for blob in try content.all() where !live.contains(blob.digest) {
                try content.delete(blob.digest)
                report.removed.append(blob.digest)
                report.reclaimedBytes += blob.size
            }
            // With the lease held exclusively no writer is running: every mount under tmp/,
            // uncommitted snapshot and ingest file belongs to a process that died.
            StaleWork.unmountAll(under: root.temporary.path)
            // A container's snapshot is active for as long as the container exists.
            if let snapshotter = try? snapshotter() {
                StaleWork.removeUncommittedSnapshots(snapshotter, keeping: Set(containers.map(\.snapshotKey)))
            }
            StaleWork.removeContainerDirectories(under: root.containers.path, keeping: Set(containers.map(\.id)))
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root.temporary.path)) ?? [] {
                try? FileManager.default.removeItem(atPath: root.temporary.appendingPathComponent(name).path)
            }
            return report
        }
    }
}
