#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import GRDB
public import HoistOCI

extension Store {
    /// What a garbage collection removed.
    public struct CollectionReport: Sendable, Hashable {
        /// The blobs deleted.
        public var removed: [Digest] = []
        /// The bytes they held.
        public var reclaimedBytes: Int64 = 0
        /// How many snapshots were removed.
        public var removedSnapshots = 0
    }

    /// Clears what processes that died left: their work directories (runtimes still running from
    /// them killed, their undo commands run, mounts detached, files removed), then their leases
    /// and the snapshots those held that were never committed. Cheap when nothing died: a
    /// directory listing and one read. Every opening of the store calls it.
    public func recoverDeadWork() {
        let directories = WorkDirectory.dead(in: root)
        guard !directories.isEmpty || hasDeadLeases() else { return }
        // One process recovers at a time; the others go on (what it clears is no one's).
        guard let lock = try? StoreLock(path: root.locks.appendingPathComponent("recover.lock").path, mode: .exclusive, timeout: 0)
        else { return }
        withExtendedLifetime(lock) {
            // Mounts go before the snapshots they show.
            for directory in directories { WorkDirectory.clean(directory) }
            var doomed: [String] = []
            _ = try? database.writeImmediately { db in
                let unfinished = try dropDeadLeases(db)
                doomed = try removeSnapshotRows(unfinished, db)
            }
            removeDirectories(doomed)
        }
    }

    /// Deletes every blob and snapshot that nothing holds, as containerd's collector does:
    /// roots are image records, containers (their image and snapshot), build cache records
    /// (their blobs and layer snapshots) and live leases; a snapshot holds its parents. Work
    /// that dead processes left is cleared first. Runs beside writers: it decides and deletes
    /// inside one immediate transaction, and a writer holds a blob in its lease (a write that
    /// waits for that transaction) before it finds the blob present or publishes it.
    @discardableResult
    public func collectGarbage() throws -> CollectionReport {
        recoverDeadWork()
        var report = CollectionReport()
        var doomed: [String] = []
        try database.writeImmediately { db in
            let holders = try Holders(db, excludingLease: nil)
            let live = try liveBlobs(holders)
            for blob in try content.all() where !live.contains(blob.digest) {
                try content.delete(blob.digest)
                report.removed.append(blob.digest)
                report.reclaimedBytes += blob.size
            }
            var keptKeys = holders.cacheSnapshotKeys.union(holders.containers.map(\.snapshotKey.rawValue))
            keptKeys.formUnion(try layerSnapshotKeys(of: holders.roots.map(\.digest)))
            doomed = try removeSnapshotRows(unheldSnapshots(keys: keptKeys, ids: holders.leasedSnapshots, db), db)
            report.removedSnapshots = doomed.count
            // Facts of images whose content is gone.
            try db.execute(sql: "DELETE FROM image_facts WHERE target NOT IN (SELECT digest FROM image)")
        }
        removeDirectories(doomed)
        StaleWork.removeContainerDirectories(
            under: root.containers.path, keeping: Set(try containers().map(\.id)))
        // Work directories of versions that kept their work in tmp/ itself.
        for entry in WorkDirectory.legacyEntries(in: root) { WorkDirectory.clean(entry) }
        return report
    }

    /// Deletes those of `candidates` that nothing but `lease` holds: the cleanup after an
    /// operation under `lease` failed (or brought blobs it did not use). A blob another
    /// operation holds, or a name, a container or the build cache reaches, stays.
    public func removeUnheld(_ candidates: Set<Digest>, apartFrom lease: Lease?) throws {
        guard !candidates.isEmpty else { return }
        try database.writeImmediately { db in
            let live = try liveBlobs(try Holders(db, excludingLease: lease?.id))
            for digest in candidates.subtracting(live) { try content.delete(digest) }
        }
    }

    /// What holds blobs and snapshots, read in the collecting transaction.
    private struct Holders {
        /// Image records, containers' images and leases' images: manifests or indexes.
        var roots: [(mediaType: String, digest: Digest)] = []
        var containers: [ContainerRecord] = []
        /// Blobs held directly: by build cache records and leases.
        var blobs = Set<Digest>()
        var cacheSnapshotKeys = Set<String>()
        var leasedSnapshots = Set<Int64>()

        init(_ db: Database, excludingLease excluded: String?) throws {
            for row in try Row.fetchAll(db, sql: "SELECT mediaType, digest FROM image") {
                if let digest = try? Digest(parsing: row["digest"] as String) { roots.append((row["mediaType"], digest)) }
            }
            containers = try ContainerRow.fetchAll(db).map { try $0.record() }
            roots += try containers.map { ($0.imageTarget.mediaType.rawValue, try $0.imageTarget.digest) }
            let leased = try Row.fetchAll(
                db, sql: "SELECT DISTINCT kind, name FROM lease_resource WHERE lease != ?", arguments: [excluded ?? ""])
            for row in leased {
                let name: String = row["name"]
                switch row["kind"] as String {
                // A lease's image is walked as a manifest whatever it is: the walk reads indexes too.
                case "image": if let digest = try? Digest(parsing: name) { roots.append((MediaType.ociManifest.rawValue, digest)) }
                case "blob": if let digest = try? Digest(parsing: name) { blobs.insert(digest) }
                case "snapshot": if let id = Int64(name) { leasedSnapshots.insert(id) }
                default: break
                }
            }
            for text in try String.fetchAll(db, sql: "SELECT DISTINCT digest FROM build_cache_blob") {
                if let digest = try? Digest(parsing: text) { blobs.insert(digest) }
            }
            cacheSnapshotKeys = Set(try String.fetchAll(db, sql: "SELECT DISTINCT snapshot FROM build_cache_snapshot"))
        }
    }

    private func liveBlobs(_ holders: Holders) throws -> Set<Digest> {
        try content.reachable(from: holders.roots).union(holders.blobs)
    }

    /// The snapshots that hold the layers of the images `roots` (manifests or indexes) names,
    /// by key: one per prefix of each image's layer chain.
    private func layerSnapshotKeys(of roots: [Digest]) throws -> Set<String> {
        struct Document: Decodable {
            struct Pointer: Decodable { let digest: String }
            let config: Pointer?
            let manifests: [Pointer]?
        }
        struct Config: Decodable {
            struct RootFS: Decodable { let diff_ids: [Digest]? }
            let rootfs: RootFS?
        }
        var keys = Set<String>()
        var seen = Set<Digest>()
        var pending = roots
        while let digest = pending.popLast() {
            guard seen.insert(digest).inserted, try content.contains(digest),
                let document = try? JSONDecoder().decode(Document.self, from: try content.data(digest))
            else { continue }
            pending += (document.manifests ?? []).compactMap { try? Digest(parsing: $0.digest) }
            guard let pointer = document.config, let config = try? Digest(parsing: pointer.digest), try content.contains(config),
                let diffIDs = (try? JSONDecoder().decode(Config.self, from: try content.data(config)))?.rootfs?.diff_ids
            else { continue }
            for chainID in ChainID.chain(diffIDs) { keys.insert(SnapshotKey(chainID: chainID).rawValue) }
        }
        return keys
    }

    /// The ids of the snapshots that are held neither by key (`keys`, any snapshotter) nor by
    /// id (`ids`), nor as an ancestor of one that is.
    private func unheldSnapshots(keys: Set<String>, ids: Set<Int64>, _ db: Database) throws -> [Int64] {
        let rows = try Row.fetchAll(db, sql: "SELECT id, key, parentID FROM snapshot")
        var parents: [Int64: Int64] = [:]
        var held: [Int64] = []
        for row in rows {
            let id: Int64 = row["id"]
            if let parent = row["parentID"] as Int64? { parents[id] = parent }
            if ids.contains(id) || keys.contains(row["key"]) { held.append(id) }
        }
        var kept = Set<Int64>()
        for var id in held {
            while kept.insert(id).inserted, let parent = parents[id] { id = parent }
        }
        return rows.map { $0["id"] as Int64 }.filter { !kept.contains($0) }
    }

    /// Deletes the rows of snapshots `ids` (those no container uses), children first, and moves
    /// their directories aside; returns the moved directories, to delete once the transaction
    /// has committed.
    func removeSnapshotRows(_ ids: [Int64], _ db: Database) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        let containerKeys = Set(try String.fetchAll(db, sql: "SELECT snapshotKey FROM container"))
        var moved: [String] = []
        // A child's id is always larger than its parent's (AUTOINCREMENT): children go first.
        for id in ids.sorted(by: >) {
            guard let key = try String.fetchOne(db, sql: "SELECT key FROM snapshot WHERE id = ?", arguments: [id]),
                !containerKeys.contains(key),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM snapshot WHERE parentID = ?", arguments: [id]) == 0
            else { continue }
            try db.execute(sql: "DELETE FROM snapshot WHERE id = ?", arguments: [id])
            let directory = root.snapshots.appendingPathComponent(String(id)).path
            let aside = root.snapshots.appendingPathComponent("removing-\(id)-\(UUID().uuidString)").path
            if rename(directory, aside) == 0 { moved.append(aside) }
        }
        return moved
    }

    private func removeDirectories(_ paths: [String]) {
        for path in paths {
            StaleWork.unmountAll(under: path)
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
