public import Foundation
public import HoistArchive
public import HoistOCI

/// Snapshots as full directory trees, for hosts without overlayfs: preparing copies the
/// parent's whole tree (fresh inodes, metadata kept; see ``SnapshotTreeCopier``), every mount is
/// a bind, and a diff compares the tree with its parent's.
///
/// A view binds its committed parent read-only instead of copying it, since committed trees
/// never change.
public struct CopySnapshotter: Snapshotter {
    public var name: String { "copy" }
    let catalog: SnapshotCatalog

    /// Opens the copy snapshots of `store`.
    public init(store: Store) throws {
        catalog = try SnapshotCatalog(snapshotter: "copy", store: store)
    }

    public func prepare(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        let entry = try catalog.create(.active, key: key, parent: parent, labels: labels) { entry in
            guard let parentID = entry.ancestors.first else { return }
            try SnapshotTreeCopier.copy(from: catalog.filesystem(parentID), to: catalog.filesystem(entry.id))
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
        // A snapshot without a parent is all additions: compare it with an empty directory.
        let empty = catalog.directory.appendingPathComponent("empty-\(UUID().uuidString)").path
        let lower = entry.ancestors.first.map(catalog.filesystem) ?? empty
        if entry.ancestors.isEmpty {
            try systemCall("cannot create \(empty)") { mkdir(empty, 0o755) }
        }
        defer { if entry.ancestors.isEmpty { rmdir(empty) } }
        do {
            return try LayerDiffer(options: options).diff(lower: lower, upper: catalog.filesystem(entry.id), to: &sink)
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
            let options = LayerApplier.Options(whiteoutStyle: .oci, expectedDiffID: expectedDiffID)
            return try LayerApplier(root: catalog.filesystem(entry.id), options: options).apply(layer)
        } catch let error as ArchiveError {
            throw StoreError(error.code, "cannot apply a layer to snapshot \(key)", underlying: error)
        }
    }

    private func mounts(_ entry: SnapshotCatalog.Entry) -> [Mount] {
        switch entry.kind {
        case .active:
            return [Mount(type: "bind", source: catalog.filesystem(entry.id), options: ["rbind", "rw"])]
        case .committed:
            return [Mount(type: "bind", source: catalog.filesystem(entry.id), options: ["rbind", "ro"])]
        case .view:
            let source = entry.ancestors.first.map(catalog.filesystem) ?? catalog.filesystem(entry.id)
            return [Mount(type: "bind", source: source, options: ["rbind", "ro"])]
        }
    }
}
