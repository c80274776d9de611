public import HoistArchive
public import HoistOCI
import Synchronization

/// A snapshotter opened on first use: for work that may need none, such as a build served
/// wholly from the cache, which then neither reads the overlay probe's answer nor sweeps
/// `snapshots/` for leftovers as opening one does.
///
/// The first call opens the snapshotter with `open` (its error, if any, is thrown by that call
/// and the next ones try again); every call goes to the one opened.
public final class DeferredSnapshotter: Snapshotter {
    private let open: @Sendable () throws -> any Snapshotter
    private let opened = Mutex<(any Snapshotter)?>(nil)

    public init(_ open: @escaping @Sendable () throws -> any Snapshotter) {
        self.open = open
    }

    /// The snapshotter, opened now if it was not yet.
    public func resolved() throws -> any Snapshotter {
        try opened.withLock { snapshotter in
            if let snapshotter { return snapshotter }
            let made = try open()
            snapshotter = made
            return made
        }
    }

    /// The name of the snapshotter, opening it; `deferred` when it cannot be opened.
    public var name: String { (try? resolved().name) ?? "deferred" }

    public func prepare(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        try resolved().prepare(key: key, parent: parent, labels: labels)
    }

    public func view(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        try resolved().view(key: key, parent: parent, labels: labels)
    }

    public func commit(name: SnapshotKey, key: SnapshotKey, labels: [String: String]) throws {
        try resolved().commit(name: name, key: key, labels: labels)
    }

    public func remove(_ key: SnapshotKey) throws {
        try resolved().remove(key)
    }

    public func mounts(_ key: SnapshotKey) throws -> [Mount] {
        try resolved().mounts(key)
    }

    public func stat(_ key: SnapshotKey) throws -> SnapshotInfo {
        try resolved().stat(key)
    }

    public func list() throws -> [SnapshotInfo] {
        try resolved().list()
    }

    public func usage(_ key: SnapshotKey) throws -> SnapshotUsage {
        try resolved().usage(key)
    }

    public func diff(_ key: SnapshotKey, to sink: inout some ByteSink, options: LayerDiffer.Options) throws -> Int {
        try resolved().diff(key, to: &sink, options: options)
    }

    public func apply(_ layer: some ByteSource, to key: SnapshotKey, expectedDiffID: Digest?) throws -> AppliedLayer {
        try resolved().apply(layer, to: key, expectedDiffID: expectedDiffID)
    }
}
