#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistArchive
public import HoistOCI
import Synchronization

/// Snapshots for pod isolation (`hoist build --isolation=pod`), where nothing can be mounted:
/// one live directory tree — the container's own `/` — holds the active snapshot, as Kaniko
/// builds in the root of the container it runs in.
///
/// - ``prepare(key:parent:labels:)`` of a step's snapshot brings the tree to the parent: nothing
///   to do when the tree holds it already (a step on the one before), the layers in between
///   applied when it holds an ancestor, else the tree emptied and the parent's whole chain
///   applied. Then the tree needs a ``TreeRecord``: a step on the one before takes the record
///   its diff made, others walk the tree, one `lstat` per file. There is one active snapshot
///   at a time (`failedPrecondition` for a second): the caller runs steps one by one.
/// - ``diff(_:to:options:)`` of the active snapshot walks the tree against that record — one
///   `fstatat` per file, listing only directories whose own stat moved, reading only files
///   whose stat moved — and records the tree as it now is for the next step, so a chain of
///   steps costs one walk each. The layer is kept as a file too, and that file is what a
///   committed snapshot is: the tree is rebuilt from such files when a step wants another parent.
/// - An unpack (a snapshot prepared with ``LayerUnpacker/unpackLabel``) does not touch the
///   tree: its layer is kept as a file, decompressed, its diffID checked.
/// - ``view(key:parent:labels:)`` applies the parent's layers into a directory of its own in
///   the store's work directory, shared by the views of one parent until the last is removed.
///
/// Mounts are ``Mount/directory(_:readOnly:)``: callers work in the directory itself. The paths
/// of the tree that are not the build's — every mount point below the root, and the paths given
/// as `keeping` (the store, the `hoist` executable, the container's marker files) — are never
/// emptied, written or recorded. The catalog lives in memory, so each process starts from a tree
/// it does not know and unpacks again; the tree is locked (`flock` on its root directory) for
/// the snapshotter's lifetime, so two builds never share one.
public final class InPlaceSnapshotter: Snapshotter {
    public var name: String { "inplace" }
    public var holdsOneActiveSnapshot: Bool { true }

    /// The live tree's root directory.
    public let root: String
    /// Root-relative paths the tree keeps from its container, with everything under them.
    public let preserved: Set<String>
    /// This snapshotter's layer files and views, in the store's work directory.
    private let directory: String
    private let lock: Int32
    private let state = Mutex(State())

    /// A layer as a file: an uncompressed tar.
    private struct LayerFile {
        var path: String
        var diffID: Digest
        var entries: Int
    }

    private struct Entry {
        var kind: SnapshotKind
        var parent: SnapshotKey?
        var created: Date
        var labels: [String: String]
        /// What turns the parent into this snapshot: set when committed, and when active once
        /// a layer was unpacked into it or its tree diffed.
        var layer: LayerFile?
        /// An unpack's snapshot: a layer file, never the tree.
        var isUnpack = false
        /// A view's directory.
        var viewDirectory: String?
    }

    /// What the live tree holds. A `record` is the tree's as its last diff left it, which the
    /// next step's diff can start from instead of walking the tree again.
    private enum Tree {
        /// Nothing known: emptied before use.
        case unknown
        /// A committed snapshot (nil: empty but for the kept paths).
        case holds(SnapshotKey?, record: TreeRecord?)
        /// Being brought to a parent for the active snapshot `key`.
        case preparing(SnapshotKey)
        /// The active snapshot `key`, recorded when it was prepared (`before`) and when diffed.
        case active(SnapshotKey, before: TreeRecord, after: TreeRecord?)
        /// An active snapshot removed after its diff: its parent plus a layer with this diffID.
        case detached(parent: SnapshotKey?, diffID: Digest, record: TreeRecord?)
    }

    private struct State {
        var entries: [SnapshotKey: Entry] = [:]
        var tree = Tree.unknown
        /// Materialized views by their parent (`""` for none): directory and number of views.
        var views: [String: (directory: String, users: Int)] = [:]
    }

    /// Opens the tree at `root` (the container's `/` in pod isolation), locking it; `keeping`
    /// are paths in the tree never to touch, besides the mount points below it (nonexistent
    /// ones are ignored). Throws `failedPrecondition` when another build holds the tree.
    public init(store: Store, root: String = "/", keeping: [String] = []) throws {
        self.root = root
        let lock = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw StoreError(errnoCode(errno), "cannot open \(root): \(String(cString: strerror(errno)))") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw StoreError(.failedPrecondition, "another build is working in \(root): one build at a time in a tree")
        }
        self.lock = lock
        preserved = Self.keptPaths(under: root, keeping: keeping)
        directory = store.root.temporary.appendingPathComponent("inplace-\(UUID().uuidString)").path
        do {
            for path in [directory, directory + "/layers", directory + "/views"] {
                try systemCall("cannot create \(path)") { mkdir(path, 0o700) }
            }
        } catch {
            close(lock)
            throw error
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
        close(lock)
    }

    /// The mount points strictly below `root` and the `keeping` paths that exist, as
    /// root-relative paths with symlinks resolved.
    static func keptPaths(under root: String, keeping: [String]) -> Set<String> {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        var kept: Set<String> = []
        let resolved = keeping.compactMap { path -> String? in
            guard let real = realpath(path, nil) else { return nil }
            defer { free(real) }
            return String(cString: real)
        }
        for path in StaleWork.mountPoints() + resolved where path.hasPrefix(prefix) && path.count > prefix.count {
            kept.insert(String(path.dropFirst(prefix.count)))
        }
        return kept
    }

    // MARK: Lifecycle

    public func prepare(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        let isUnpack = labels[LayerUnpacker.unpackLabel] != nil
        let plan = try state.withLock { state -> (chain: [LayerFile], start: Int, empty: Bool, record: TreeRecord?)? in
            guard state.entries[key] == nil else { throw StoreError(.alreadyExists, "snapshot \(key) exists") }
            let chain = try Self.chain(to: parent, in: state)
            let entry = Entry(kind: .active, parent: parent, created: Date(), labels: labels, isUnpack: isUnpack)
            if isUnpack {
                state.entries[key] = entry
                return nil
            }
            let start: Int?
            var record: TreeRecord?
            switch state.tree {
            case .preparing(let other), .active(let other, _, _):
                throw StoreError(.failedPrecondition, "snapshot \(other) is active in \(root): the tree holds one step at a time")
            case .unknown:
                start = nil
            case .holds(nil, let held):
                start = 0
                record = held
            case .holds(let held?, let heldRecord):
                start = chain.firstIndex { $0.key == held }.map { $0 + 1 }
                record = heldRecord
            case .detached(let detachedParent, let diffID, let detachedRecord):
                start = chain.firstIndex { $0.parent == detachedParent && $0.layer.diffID == diffID }.map { $0 + 1 }
                record = detachedRecord
            }
            state.entries[key] = entry
            state.tree = .preparing(key)
            // The record is the tree's only when no layer is applied to it.
            return (chain.map(\.layer), start ?? 0, start == nil, start == chain.count ? record : nil)
        }
        guard let plan else { return [] }
        do {
            let record: TreeRecord
            if let reused = plan.record {
                reused.waitUntilLaterChangesShow()
                record = reused
            } else {
                if plan.empty { try apply(Self.emptyingLayer, onto: root, keeping: preserved) }
                for layer in plan.chain[plan.start...] {
                    try apply(try FileByteSource(path: layer.path), onto: root, keeping: preserved)
                }
                record = try TreeRecord(root: root, excluding: preserved)
            }
            state.withLock { $0.tree = .active(key, before: record, after: nil) }
        } catch {
            state.withLock { state in
                state.entries[key] = nil
                state.tree = .unknown
            }
            throw error
        }
        return [Mount.directory(root, readOnly: false)]
    }

    public func view(key: SnapshotKey, parent: SnapshotKey?, labels: [String: String]) throws -> [Mount] {
        let (chain, shared) = try state.withLock { state -> ([LayerFile], String?) in
            guard state.entries[key] == nil else { throw StoreError(.alreadyExists, "snapshot \(key) exists") }
            let chain = try Self.chain(to: parent, in: state).map(\.layer)
            let shared = state.views[parent?.rawValue ?? ""]
            if let shared { state.views[parent?.rawValue ?? ""] = (shared.directory, shared.users + 1) }
            state.entries[key] = Entry(kind: .view, parent: parent, created: Date(), labels: labels, viewDirectory: shared?.directory)
            return (chain, shared?.directory)
        }
        if let shared { return [Mount.directory(shared, readOnly: true)] }
        let view = directory + "/views/" + UUID().uuidString
        do {
            try systemCall("cannot create \(view)") { mkdir(view, 0o755) }
            for layer in chain { try apply(try FileByteSource(path: layer.path), onto: view, keeping: []) }
        } catch {
            try? FileManager.default.removeItem(atPath: view)
            state.withLock { $0.entries[key] = nil }
            throw error
        }
        let directory = state.withLock { state -> String in
            // Another view of the parent may have been made meanwhile: the first one serves.
            let name = parent?.rawValue ?? ""
            let directory = state.views[name].map { $0.directory } ?? view
            state.views[name] = (directory, (state.views[name]?.users ?? 0) + 1)
            state.entries[key]?.viewDirectory = directory
            return directory
        }
        if directory != view { try? FileManager.default.removeItem(atPath: view) }
        return [Mount.directory(directory, readOnly: true)]
    }

    public func commit(name: SnapshotKey, key: SnapshotKey, labels: [String: String]) throws {
        let needsDiff = try state.withLock { state -> Bool in
            let entry = try Self.active(key, in: state)
            guard state.entries[name] == nil else { throw StoreError(.alreadyExists, "snapshot \(name) exists") }
            return entry.layer == nil && !entry.isUnpack
        }
        if needsDiff {
            var discard = DiscardingSink()
            _ = try diff(key, to: &discard, options: LayerDiffer.Options())
        }
        if try state.withLock({ state in try Self.active(key, in: state).isUnpack && state.entries[key]?.layer == nil }) {
            // Nothing was applied: an empty layer.
            _ = try apply(MemoryByteSource(Self.emptyLayer), toRecord: key, expectedDiffID: nil)
        }
        try state.withLock { state in
            var entry = try Self.active(key, in: state)
            guard state.entries[name] == nil else { throw StoreError(.alreadyExists, "snapshot \(name) exists") }
            entry.kind = .committed
            entry.labels.merge(labels) { $1 }
            state.entries[key] = nil
            state.entries[name] = entry
            if case .active(key, _, let after) = state.tree { state.tree = .holds(name, record: after) }
        }
    }

    public func remove(_ key: SnapshotKey) throws {
        let removed = try state.withLock { state -> (layer: String?, view: String?) in
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            if entry.kind == .committed, state.entries.values.contains(where: { $0.parent == key }) {
                throw StoreError(.failedPrecondition, "snapshot \(key) has children; remove them first")
            }
            state.entries[key] = nil
            switch state.tree {
            case .active(key, _, let after):
                state.tree = entry.layer.map { .detached(parent: entry.parent, diffID: $0.diffID, record: after) } ?? .unknown
            case .preparing(key):
                state.tree = entry.layer.map { .detached(parent: entry.parent, diffID: $0.diffID, record: nil) } ?? .unknown
            case .holds(key?, _):
                state.tree = .unknown
            default:
                break
            }
            var view: String?
            let parent = entry.parent?.rawValue ?? ""
            if entry.kind == .view, let shared = state.views[parent] {
                if shared.users > 1 {
                    state.views[parent] = (shared.directory, shared.users - 1)
                } else {
                    state.views[parent] = nil
                    view = shared.directory
                }
            }
            return (entry.layer?.path, view)
        }
        if let layer = removed.layer { unlink(layer) }
        if let view = removed.view { try? FileManager.default.removeItem(atPath: view) }
    }

    public func mounts(_ key: SnapshotKey) throws -> [Mount] {
        try state.withLock { state in
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            switch entry.kind {
            case .view:
                return [Mount.directory(entry.viewDirectory ?? directory, readOnly: true)]
            case .active:
                return entry.isUnpack ? [] : [Mount.directory(root, readOnly: false)]
            case .committed:
                throw StoreError(.failedPrecondition, "snapshot \(key) is a layer file of the in-place snapshotter; make a view to read it")
            }
        }
    }

    public func stat(_ key: SnapshotKey) throws -> SnapshotInfo {
        try state.withLock { state in
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            return SnapshotInfo(key: key, kind: entry.kind, parent: entry.parent, created: entry.created, labels: entry.labels)
        }
    }

    public func list() throws -> [SnapshotInfo] {
        state.withLock { state in
            state.entries.map { SnapshotInfo(key: $0.key, kind: $0.value.kind, parent: $0.value.parent, created: $0.value.created, labels: $0.value.labels) }
                .sorted { $0.key < $1.key }
        }
    }

    /// A snapshot's layer file: its allocated size and its entries. The active tree's files are
    /// the container's, and count nothing here.
    public func usage(_ key: SnapshotKey) throws -> SnapshotUsage {
        let layer = try state.withLock { state in
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            return entry.layer
        }
        guard let layer else { return SnapshotUsage(size: 0, inodes: 0) }
        var status = Glibc.stat()
        try systemCall("cannot stat \(layer.path)") { lstat(layer.path, &status) }
        return SnapshotUsage(size: Int64(status.st_blocks) * 512, inodes: Int64(layer.entries))
    }

    // MARK: Layers

    public func diff(_ key: SnapshotKey, to sink: inout some ByteSink, options: LayerDiffer.Options) throws -> Int {
        let (entry, record) = try state.withLock { state -> (Entry, TreeRecord?) in
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            if case .active(key, let before, _) = state.tree { return (entry, before) }
            return (entry, nil)
        }
        guard let record else {
            guard let layer = entry.layer else {
                throw StoreError(.failedPrecondition, "snapshot \(key) is a \(entry.kind.rawValue) snapshot without changes of its own")
            }
            var source = try FileByteSource(path: layer.path)
            try source.copy(to: &sink)
            return layer.entries
        }
        // The layer goes to the caller and to a file of its own, which the commit keeps.
        let path = directory + "/layers/" + UUID().uuidString + ".tar"
        let file = try FileByteSink(path: path, permissions: 0o600)
        var tee = TeeSink(first: sink, second: DigestingSink(file))
        let entries: Int
        let after: TreeRecord
        do {
            let diffed = try LayerDiffer(options: options).diffRecording(since: record, to: &tee)
            entries = diffed.entries
            after = diffed.record
            try tee.second.close()
        } catch let error as ArchiveError {
            unlink(path)
            throw StoreError(error.code, "cannot diff snapshot \(key)", underlying: error)
        } catch {
            unlink(path)
            throw error
        }
        sink = tee.first
        let layer = LayerFile(path: path, diffID: tee.second.digest, entries: entries)
        let replaced = state.withLock { state -> String? in
            let old = state.entries[key]?.layer?.path
            state.entries[key]?.layer = layer
            if case .active(key, let before, _) = state.tree { state.tree = .active(key, before: before, after: after) }
            return old
        }
        if let replaced { unlink(replaced) }
        return entries
    }

    public func apply(_ layer: some ByteSource, to key: SnapshotKey, expectedDiffID: Digest?) throws -> AppliedLayer {
        let isTree = try state.withLock { state -> Bool in
            let entry = try Self.active(key, in: state)
            guard !entry.isUnpack else { return false }
            guard case .active(key, let before, _) = state.tree else {
                throw StoreError(.failedPrecondition, "snapshot \(key) is not in the tree")
            }
            // The tree moves past what a diff recorded of it.
            state.tree = .active(key, before: before, after: nil)
            return true
        }
        if !isTree { return try apply(layer, toRecord: key, expectedDiffID: expectedDiffID) }
        do {
            var options = LayerApplier.Options(whiteoutStyle: .oci, expectedDiffID: expectedDiffID)
            options.preserved = preserved
            return try LayerApplier(root: root, options: options).apply(layer)
        } catch let error as ArchiveError {
            throw StoreError(error.code, "cannot apply a layer to snapshot \(key)", underlying: error)
        }
    }

    /// Keeps `layer` as the layer file of the unpack snapshot `key`: decompressed, its entries
    /// counted as a check of the tar, its diffID compared with `expectedDiffID`.
    private func apply(_ layer: some ByteSource, toRecord key: SnapshotKey, expectedDiffID: Digest?) throws -> AppliedLayer {
        let path = directory + "/layers/" + UUID().uuidString + ".tar"
        let file = try FileByteSink(path: path, permissions: 0o600)
        do {
            let decompressed = try DecompressingSource(layer)
            var reader = TarReader(DigestingSource(CopyingSource(inner: decompressed, copy: file)))
            var entries = 0
            while try reader.next() != nil { entries += 1 }
            try reader.drainSource()
            try file.close()
            let diffID = reader.source.digest
            if let expectedDiffID, expectedDiffID != diffID {
                throw StoreError(.dataLoss, "layer diffID mismatch: expected \(expectedDiffID), got \(diffID)")
            }
            let replaced = state.withLock { state -> String? in
                let old = state.entries[key]?.layer?.path
                state.entries[key]?.layer = LayerFile(path: path, diffID: diffID, entries: entries)
                return old
            }
            if let replaced { unlink(replaced) }
            return AppliedLayer(diffID: diffID, size: reader.source.count, compression: decompressed.compression, entryCount: entries, warnings: [])
        } catch let error as ArchiveError {
            unlink(path)
            throw StoreError(error.code, "cannot unpack a layer into snapshot \(key)", underlying: error)
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Applies a layer onto the directory `target`, sparing `keeping`.
    private func apply(_ layer: some ByteSource, onto target: String, keeping: Set<String>) throws {
        var options = LayerApplier.Options(whiteoutStyle: .oci)
        options.preserved = keeping
        do {
            _ = try LayerApplier(root: target, options: options).apply(layer)
        } catch let error as ArchiveError {
            throw StoreError(error.code, "cannot rebuild \(target) from its layers", underlying: error)
        }
    }

    // MARK: Catalog

    /// The committed snapshots from the bottom of `parent`'s chain to `parent`, each with its layer.
    private static func chain(to parent: SnapshotKey?, in state: State) throws -> [(key: SnapshotKey, parent: SnapshotKey?, layer: LayerFile)] {
        var chain: [(key: SnapshotKey, parent: SnapshotKey?, layer: LayerFile)] = []
        var next = parent
        while let key = next {
            guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
            guard entry.kind == .committed, let layer = entry.layer else {
                throw StoreError(.failedPrecondition, "snapshot \(key) is \(entry.kind.rawValue); only committed snapshots are parents")
            }
            chain.append((key, entry.parent, layer))
            next = entry.parent
        }
        return chain.reversed()
    }

    private static func active(_ key: SnapshotKey, in state: State) throws -> Entry {
        guard let entry = state.entries[key] else { throw StoreError(.notFound, "snapshot \(key) does not exist") }
        guard entry.kind == .active else {
            throw StoreError(.failedPrecondition, "snapshot \(key) is \(entry.kind.rawValue), not active")
        }
        return entry
    }

    /// A tar of only an end marker: the layer of a snapshot in which nothing changed.
    private static let emptyLayer: [UInt8] = {
        var writer = TarWriter(MemoryByteSink())
        try? writer.finish()
        return writer.sink.bytes
    }()

    /// A layer that makes the root opaque: applied with the kept paths spared, it empties the tree.
    private static var emptyingLayer: MemoryByteSource {
        var writer = TarWriter(MemoryByteSink())
        try? writer.writeEntry(TarHeader(name: ".wh..wh..opq", type: .regular, mode: 0, modificationTime: TarTimestamp(seconds: 0)))
        try? writer.finish()
        return MemoryByteSource(writer.sink.bytes)
    }
}

/// Writes to two sinks: a layer to its caller and to the snapshot's own file.
private struct TeeSink<First: ByteSink, Second: ByteSink>: ByteSink {
    var first: First
    var second: Second

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try first.write(bytes)
        try second.write(bytes)
    }

    mutating func close() throws {
        try first.close()
        try second.close()
    }
}

/// Reads from `inner` and writes what it reads to `copy`.
private struct CopyingSource<Inner: ByteSource>: ByteSource {
    var inner: Inner
    let copy: FileByteSink

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        if count > 0 { try copy.write(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
        return count
    }
}
