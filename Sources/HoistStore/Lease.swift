import Foundation
import GRDB
import Synchronization

/// Holds blobs, snapshots and images for one operation (a pull, a load, a build, a run) until
/// it is released, as a containerd lease does: garbage collection and the cleanup after a
/// failure never remove what a lease or a name holds. Its row names the owning process, so the
/// lease of a process that died is dropped by the next hoist command (``Store/recoverDeadWork()``).
///
/// Writers find their lease through ``Lease/current`` (bound by ``Store/withLease(_:_:)``), as
/// containerd finds it in the context: a blob writer holds the blob before it checks whether
/// the blob is present or renames it into place, and a snapshot is held in the transaction
/// that creates it. A blob written without a bound lease is garbage until something names it;
/// a snapshot made without one is held by the store's process lease, which lasts as long as
/// the ``Store``. The lease row is written with the first resource: an
/// operation that adds nothing (a build served from the cache) writes nothing.
public final class Lease: Sendable {
    /// The lease bound to the running task (and the tasks it starts).
    @TaskLocal public static var current: Lease?

    /// A random identifier.
    public let id: String
    /// What it is for (`pull`, `load`, `build`, `run` …), for someone reading the database.
    public let purpose: String
    let root: StoreRoot
    private let database: MetadataDatabase
    private let written = Mutex(false)

    init(purpose: String, root: StoreRoot, database: MetadataDatabase) {
        id = UUID().uuidString.lowercased()
        self.purpose = purpose
        self.root = root
        self.database = database
    }

    deinit {
        release()
    }

    /// Holds `resources` until the lease is released.
    public func hold(_ resources: [LeaseResource]) throws {
        guard !resources.isEmpty else { return }
        try database.write { db in try hold(resources, db) }
    }

    /// Holds `resources` inside the caller's transaction, writing the lease row if needed.
    func hold(_ resources: [LeaseResource], _ db: Database) throws {
        guard !resources.isEmpty else { return }
        written.withLock { $0 = true }
        let owner = ProcessIdentity.current
        try db.execute(
            sql: "INSERT OR IGNORE INTO lease (id, pid, started, boot, created, purpose) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, owner.pid, Int64(bitPattern: owner.startTime), owner.bootID, Date().timeIntervalSince1970, purpose])
        for resource in resources {
            try db.execute(
                sql: "INSERT OR IGNORE INTO lease_resource (lease, kind, name) VALUES (?, ?, ?)",
                arguments: [id, resource.kind, resource.name])
        }
    }

    /// Lets go of everything held; what nothing else holds is garbage from now on. Releasing
    /// again does nothing (until something is held again).
    public func release() {
        let wasWritten = written.withLock { written in
            defer { written = false }
            return written
        }
        guard wasWritten else { return }
        try? database.write { db in try db.execute(sql: "DELETE FROM lease WHERE id = ?", arguments: [id]) }
    }
}
