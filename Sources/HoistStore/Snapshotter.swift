public import HoistArchive
public import HoistOCI

/// Stacked file systems for containers and build steps, after containerd's snapshotter.
///
/// Lifecycle:
/// - ``prepare(key:parent:labels:)`` makes an *active* snapshot: writable, starting as a copy of
///   its committed parent (or empty), and returns the mounts that show it.
/// - ``commit(name:key:labels:)`` turns an active snapshot into a *committed* one under a new
///   name. Committed snapshots never change; only they can be parents.
/// - ``view(key:parent:labels:)`` makes a read-only *view* of a committed snapshot.
/// - ``remove(_:)`` deletes any snapshot that has no children (`failedPrecondition` otherwise).
///
/// Keys of all kinds share one namespace per snapshotter. The caller mounts the returned
/// ``Mount``s and unmounts them before it commits or removes. Errors are ``StoreError``:
/// `notFound`, `alreadyExists`, `failedPrecondition` for lifecycle violations.
public protocol Snapshotter: Sendable {
    /// The snapshotter's name (`overlay`, `copy`); snapshots of different snapshotters in one
    /// store do not see each other.
    var name: String { get }
    /// Whether it holds one active (writable) snapshot at a time, as a snapshotter working in
    /// place on one tree does; a second `prepare` then fails until the first is committed or removed.
    var holdsOneActiveSnapshot: Bool { get }

    /// Creates the active snapshot `key` on `parent` and returns its (writable) mounts.
    func prepare(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount]

    /// Creates the read-only view `key` of `parent` and returns its mounts.
    func view(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount]

    /// Commits the active snapshot `key` as `name`; `key` ceases to exist.
    func commit(name: SnapshotKey, key: SnapshotKey, labels: [String: String]) throws

    /// Removes `key` and its files.
    func remove(_ key: SnapshotKey) throws

    /// The mounts of `key`: writable for an active snapshot, read-only otherwise.
    func mounts(_ key: SnapshotKey) throws -> [Mount]

    /// The metadata of `key`.
    func stat(_ key: SnapshotKey) throws -> SnapshotInfo

    /// Every snapshot, sorted by key.
    func list() throws -> [SnapshotInfo]

    /// What `key`'s own files take on disk (its parents not included).
    func usage(_ key: SnapshotKey) throws -> SnapshotUsage

    /// Writes the changes `key` (active or committed) makes to its parent to `sink` as an OCI
    /// layer tar (end marker included; the sink is not closed). Returns the entry count.
    /// Unmount an active snapshot first so no write is missed.
    func diff(_ key: SnapshotKey, to sink: inout some ByteSink, options: LayerDiffer.Options) throws -> Int

    /// Applies the layer `layer` (a tar, compressed or not) to the active snapshot `key`,
    /// without mounting it.
    func apply(_ layer: some ByteSource, to key: SnapshotKey, expectedDiffID: Digest?) throws -> AppliedLayer
}

extension Snapshotter {
    public var holdsOneActiveSnapshot: Bool { false }

    /// Creates the active snapshot `key` on `parent` without labels.
    public func prepare(key: SnapshotKey, parent: SnapshotKey?) throws -> [Mount] {
        try prepare(key: key, parent: parent, labels: [:])
    }

    /// Creates the read-only view `key` of `parent` without labels.
    public func view(key: SnapshotKey, parent: SnapshotKey?) throws -> [Mount] {
        try view(key: key, parent: parent, labels: [:])
    }

    /// Commits the active snapshot `key` as `name`, keeping its labels.
    public func commit(name: SnapshotKey, key: SnapshotKey) throws {
        try commit(name: name, key: key, labels: [:])
    }

    /// Writes `key`'s changes with default diff options.
    @discardableResult
    public func diff(_ key: SnapshotKey, to sink: inout some ByteSink) throws -> Int {
        try diff(key, to: &sink, options: LayerDiffer.Options())
    }

    /// Calls `body` with every snapshot, sorted by key.
    public func walk(_ body: (SnapshotInfo) throws -> Void) throws {
        for info in try list() { try body(info) }
    }

    /// True when a snapshot called `key` exists.
    public func exists(_ key: SnapshotKey) throws -> Bool {
        do {
            _ = try stat(key)
            return true
        } catch let error as StoreError where error.code == .notFound {
            return false
        }
    }
}
