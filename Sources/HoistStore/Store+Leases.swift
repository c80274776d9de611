import Foundation
import GRDB
public import HoistOCI

extension Store {
    /// A new lease for `purpose`, not bound to any task: hold resources on it explicitly, and
    /// release it (or drop it) when done.
    public func lease(_ purpose: String) -> Lease {
        Lease(purpose: purpose, root: root, database: database)
    }

    /// Runs `body` with a new lease bound as ``Lease/current``, so that what it writes is held
    /// until it returns; then releases the lease. Garbage collection runs meanwhile, and never
    /// takes what the lease holds.
    public func withLease<T>(_ purpose: String, _ body: (Lease) throws -> T) throws -> T {
        let lease = lease(purpose)
        defer { lease.release() }
        return try Lease.$current.withValue(lease) { try body(lease) }
    }

    /// Runs `body` with a new lease bound as ``Lease/current`` for it and every task it starts
    /// (not detached ones); then releases the lease.
    public func withLease<T>(_ purpose: String, isolation: isolated (any Actor)? = #isolation,
                             _ body: (Lease) async throws -> T) async throws -> T {
        let lease = lease(purpose)
        defer { lease.release() }
        return try await Lease.$current.withValue(lease) { try await body(lease) }
    }

    /// Runs `body` holding what it writes until it returns (``withLease(_:_:)``, for writers
    /// that add blobs and then name them).
    public func withWriteLease<T>(_ body: () throws -> T) throws -> T {
        try withLease("write") { _ in try body() }
    }

    /// The lease that holds what is written now: the task's bound one if it belongs to this
    /// store's root, else the store's process lease.
    var activeLease: Lease {
        if let bound = Lease.current, bound.root == root { return bound }
        return processLease
    }

    /// The manifests and indexes that live leases hold as images in use (a foreground run's image).
    public func imagesHeldByLeases() throws -> Set<Digest> {
        try database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT name FROM lease_resource WHERE kind = 'image'")
                .compactMap { try? Digest(parsing: $0) })
        }
    }

    /// Drops the leases whose owner process has ended and returns the ids of the snapshots they
    /// held that are not committed (their unfinished work).
    func dropDeadLeases(_ db: Database) throws -> [Int64] {
        var dead: [String] = []
        let rows = try Row.fetchAll(db, sql: "SELECT id, pid, started, boot FROM lease")
        var verdicts: [ProcessIdentity: Bool] = [:]
        for row in rows {
            let owner = ProcessIdentity(
                pid: Int32(truncatingIfNeeded: row["pid"] as Int64), startTime: UInt64(bitPattern: row["started"] as Int64),
                bootID: row["boot"])
            let running = verdicts[owner] ?? owner.isRunning
            verdicts[owner] = running
            if !running { dead.append(row["id"]) }
        }
        guard !dead.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: dead.count).joined(separator: ",")
        let unfinished = try Int64.fetchAll(
            db,
            sql: """
                SELECT snapshot.id FROM lease_resource JOIN snapshot ON snapshot.id = CAST(lease_resource.name AS INTEGER)
                WHERE lease_resource.kind = 'snapshot' AND snapshot.kind != 'committed' AND lease_resource.lease IN (\(placeholders))
                """,
            arguments: StatementArguments(dead))
        try db.execute(sql: "DELETE FROM lease WHERE id IN (\(placeholders))", arguments: StatementArguments(dead))
        return unfinished
    }

    /// Whether any lease row names an owner that has ended: one read, for every store opening.
    func hasDeadLeases() -> Bool {
        let owners = (try? database.read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT pid, started, boot FROM lease")
        }) ?? []
        return owners.contains { row in
            !ProcessIdentity(
                pid: Int32(truncatingIfNeeded: row["pid"] as Int64), startTime: UInt64(bitPattern: row["started"] as Int64),
                bootID: row["boot"]
            ).isRunning
        }
    }
}
