public import Foundation

/// A snapshot of a containerd snapshotter.
public struct SnapshotStat: Sendable, Hashable {
    /// Its key (active or view) or name (committed).
    public var name: String
    /// The committed snapshot it stacks on, empty for none.
    public var parent: String
    public var kind: Kind
    public var created: Date
    public var labels: [String: String]

    /// A snapshot's lifecycle: an active one is prepared (writable) and then committed or
    /// removed; a view is a read-only active one; a committed one can be a parent.
    public enum Kind: Sendable, Hashable {
        case view, active, committed, unknown
    }
}
