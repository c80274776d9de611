public import Foundation

/// What a snapshot is in its lifecycle (see ``Snapshotter``).
public enum SnapshotKind: String, Sendable, Hashable, Codable {
    /// Prepared and writable; becomes committed with `commit` or goes with `remove`.
    case active
    /// A read-only look at a committed snapshot; can only be removed.
    case view
    /// Immutable; may be the parent of other snapshots.
    case committed
}

/// The metadata of one snapshot.
public struct SnapshotInfo: Sendable, Hashable {
    /// Its key (active, view) or name (committed).
    public var key: SnapshotKey
    /// Where it is in its lifecycle.
    public var kind: SnapshotKind
    /// The committed snapshot it stacks on, if any.
    public var parent: SnapshotKey?
    /// When it was prepared (a commit keeps the time of the prepare).
    public var created: Date
    /// Free-form labels given at prepare or commit.
    public var labels: [String: String]
}

/// The disk a snapshot's own files take (not its parents').
public struct SnapshotUsage: Sendable, Hashable {
    /// Bytes in blocks allocated to its files.
    public var size: Int64
    /// The number of files, directories and other inodes.
    public var inodes: Int64
}
