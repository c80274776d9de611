#if canImport(Glibc)
    import Glibc
#endif
public import HoistArchive
public import HoistOCI

/// Snapshots as overlayfs layers: each snapshot's `fs` holds only its own changes (whiteouts as
/// overlayfs writes them), and its mounts stack the parents' `fs` directories as `lowerdir`s,
/// newest first. Preparing and committing cost nothing; a diff reads only what changed.
///
/// A snapshot without parents is a plain bind mount of its `fs`; a view of a single parent is
/// a read-only bind. Stacks whose options pass a page are mounted with relative paths (see
/// ``Mount/mount(at:)``).
public struct OverlaySnapshotter: Snapshotter {
    public var name: String { "overlay" }
    let catalog: SnapshotCatalog

    /// Opens the overlay snapshots of `store`. Does not check that the kernel supports
    /// overlayfs; ``Store/snapshotter()`` does.
    public init(store: Store) throws {
        catalog = try SnapshotCatalog(snapshotter: "overlay", store: store)
    }

    public func prepare(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        let entry = try catalog.create(.active, key: key, parent: parent, labels: labels) { entry in
            try systemCall("cannot create \(catalog.work(entry.id))") { mkdir(catalog.work(entry.id), 0o711) }
        }
        return mounts(entry)
    }

    public func view(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        mounts(try catalog.create(.view, key: key, parent: parent, labels: labels) { _ in })
    }

    public func commit(name: SnapshotKey, key: SnapshotKey, labels: [String: String]) throws {
        try catalog.commit(name: name, key: key, labels: labels)
    }

    public func remove(_ key: SnapshotKey) throws {
        try catalog.remove(key)
    }

    public func mounts(_ key: SnapshotKey) throws -> [Mount] {
        mounts(try catalog.entry(key))
    }

    public func stat(_ key: SnapshotKey) throws -> SnapshotInfo {
        try catalog.info(key)
    }

    public func list() throws -> [SnapshotInfo] {
        try catalog.list()
    }

    public func usage(_ key: SnapshotKey) throws -> SnapshotUsage {
        try catalog.usage(key)
    }

    public func diff(_ key: SnapshotKey, to sink: inout some ByteSink, options: LayerDiffer.Options) throws -> Int {
        let entry = try catalog.entry(key)
        guard entry.kind != .view else {
            throw StoreError(.failedPrecondition, "snapshot \(key) is a view; it has no changes of its own")
        }
        do {
            return try LayerDiffer(options: options).diffOverlayUpper(
                catalog.filesystem(entry.id), lowers: entry.ancestors.map(catalog.filesystem), to: &sink)
        } catch let error as ArchiveError {
            throw StoreError(error.code, "cannot diff snapshot \(key)", underlying: error)
        }
    }

    public func apply(_ layer: some ByteSource, to key: SnapshotKey, expectedDiffID: Digest?) throws -> AppliedLayer {
        let entry = try catalog.entry(key)
        guard entry.kind == .active else {
            throw StoreError(.failedPrecondition, "snapshot \(key) is \(entry.kind.rawValue); layers apply to active snapshots only")
        }
        do {
            let options = LayerApplier.Options(whiteoutStyle: .overlay, expectedDiffID: expectedDiffID)
            return try LayerApplier(root: catalog.filesystem(entry.id), options: options).apply(layer)
        } catch let error as ArchiveError {
            throw StoreError(error.code, "cannot apply a layer to snapshot \(key)", underlying: error)
        }
    }

    private func mounts(_ entry: SnapshotCatalog.Entry) -> [Mount] {
        let own = catalog.filesystem(entry.id)
        let lowers = entry.ancestors.map(catalog.filesystem)
        switch entry.kind {
        case .active:
            guard !lowers.isEmpty else { return [Mount(type: "bind", source: own, options: ["rbind", "rw"])] }
            let options = [
                "index=off", "lowerdir=" + lowers.joined(separator: ":"), "upperdir=" + own, "workdir=" + catalog.work(entry.id),
            ]
            return [Mount(type: "overlay", source: "overlay", options: options + Self.namespaceOptions)]
        case .view, .committed:
            // A committed snapshot shows itself over its parents; a view shows its parent.
            let stack = entry.kind == .committed ? [own] + lowers : lowers
            guard stack.count > 1 else {
                return [Mount(type: "bind", source: stack.first ?? own, options: ["rbind", "ro"])]
            }
            return [Mount(type: "overlay", source: "overlay", options: ["ro", "index=off", "lowerdir=" + stack.joined(separator: ":")] + Self.namespaceOptions)]
        }
    }

    /// In a user namespace (a rootless session) overlayfs keeps its whiteout and opaque markers
    /// in `user.overlay.*` xattrs, as the kernel (5.11 and later) allows it there.
    static let namespaceOptions = UserNamespace.isNested ? ["userxattr"] : []
}
