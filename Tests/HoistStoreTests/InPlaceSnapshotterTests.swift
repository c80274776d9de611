#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI
import HoistTestSupport
import Testing

@testable import HoistStore

/// The in-place snapshotter of pod isolation, on a tree in a temporary directory instead of a
/// container's `/`: its lifecycle (after the conformance suite's, within its one-tree rule), when
/// it rebuilds the tree and when it does not, views, kept paths and the tree's lock.
@Suite("In-place snapshotter", .enabled(if: getuid() == 0, "layers keep owners; needs root"))
struct InPlaceSnapshotterTests {
    let directory: TemporaryDirectory
    let store: Store
    let root: String

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(root: StoreRoot(directory.appending("store")))
        root = directory.appending("tree").path
        try FileManager.default.createDirectory(atPath: root + "/mounted", withIntermediateDirectories: true)
        try write("container's own", to: root + "/container-file")
        try write("kept", to: root + "/mounted/data")
    }

    func snapshotter() throws -> InPlaceSnapshotter {
        try InPlaceSnapshotter(store: store, root: root, keeping: [root + "/mounted"])
    }

    /// A layer of `files` (path → contents), as an unpacked image layer would be.
    func layer(_ files: [String: String], removing: [String] = []) throws -> LayerUnpacker.Layer {
        var writer = TarWriter(MemoryByteSink())
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            try writer.writeEntry(TarHeader(name: path, mode: 0o644, size: Int64(text.utf8.count)), bytes: Array(text.utf8))
        }
        for path in removing {
            // Split by hand: this Foundation's deletingLastPathComponent traps on a one-letter name.
            let components = path.split(separator: "/")
            let parent = components.dropLast().joined(separator: "/")
            try writer.writeEntry(TarHeader(name: (parent.isEmpty ? "" : parent + "/") + ".wh." + (components.last ?? ""), mode: 0))
        }
        try writer.finish()
        let bytes = writer.sink.bytes
        return LayerUnpacker.Layer(diffID: Digest(of: bytes)) { MemoryByteSource(bytes) }
    }

    /// Prepares a step on `parent`, lets `change` edit the tree, diffs and commits it as `name`.
    @discardableResult
    func step(_ snapshotter: InPlaceSnapshotter, _ name: String, on parent: SnapshotKey?, _ change: (String) throws -> Void) throws -> [String] {
        let key = try SnapshotKey("step-" + name)
        let mounts = try snapshotter.prepare(key: key, parent: parent, labels: [:])
        let tree = try #require(Mount.directoryInPlace(mounts))
        #expect(tree == root)
        try change(tree)
        var sink = MemoryByteSink()
        try snapshotter.diff(key, to: &sink, options: LayerDiffer.Options())
        try snapshotter.commit(name: try SnapshotKey(name), key: key, labels: [:])
        var reader = TarReader(MemoryByteSource(sink.bytes))
        var names: [String] = []
        while let header = try reader.next() { names.append(header.name) }
        return names
    }

    func tree() throws -> FileTree { try FileTree(root: root) { $0 == "mounted" || $0.hasPrefix("mounted/") } }

    func inode(_ path: String) -> UInt64 {
        var status = stat()
        lstat(path, &status)
        return UInt64(status.st_ino)
    }

    @Test func unpackingLeavesTheTreeAlone() throws {
        let snapshotter = try snapshotter()
        let before = try FileTree(root: root)
        let result = try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["a": "1"]), try layer(["b": "2"])])
        #expect(result.appliedLayers == 2)
        #expect(try FileTree(root: root) == before)
        #expect(try snapshotter.list().map(\.kind) == [.committed, .committed])
        #expect(try snapshotter.usage(try #require(result.key)).inodes == 1)
    }

    @Test func stepsOnEachOtherKeepTheTreeAndOnlyWhatChangedIsInTheLayer() throws {
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["etc/a": "1", "etc/b": "2"])]).key)
        let first = try step(snapshotter, "one", on: base) { tree in
            // The container's own files went; the kept directory stayed.
            #expect(!FileManager.default.fileExists(atPath: tree + "/container-file"))
            #expect(read(tree + "/mounted/data") == "kept")
            #expect(read(tree + "/etc/a") == "1")
            try write("3", to: tree + "/etc/c")
            try write("kept changed", to: tree + "/mounted/data")
        }
        #expect(first == ["etc", "etc/c"], "\(first)")
        let untouched = inode(root + "/etc/a")
        let second = try step(snapshotter, "two", on: try SnapshotKey("one")) { tree in
            try FileManager.default.removeItem(atPath: tree + "/etc/b")
        }
        #expect(second == ["etc", "etc/.wh.b"], "\(second)")
        // The tree was not rebuilt for a step on the one before.
        #expect(inode(root + "/etc/a") == untouched)
        #expect(read(root + "/mounted/data") == "kept changed")
    }

    /// A step on the one before starts from the record the last diff left: a file that step
    /// wrote, rewritten at once with its size and times kept, must still show (its change time
    /// moves only once the clock tick of the last write is over, which prepare waits for).
    @Test func aStepOnTheOneBeforeSeesARewriteThatKeepsSizeAndTimes() throws {
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["etc/a": "1"])]).key)
        var previous = try SnapshotKey("zero")
        try step(snapshotter, "zero", on: base) { try write("0000", to: $0 + "/f") }
        for round in 1...5 {
            let name = "round-\(round)"
            let names = try step(snapshotter, name, on: previous) { tree in
                var status = stat()
                lstat(tree + "/f", &status)
                try write("\(round)\(round)\(round)\(round)", to: tree + "/f")
                var times = [status.st_atim, status.st_mtim]
                #expect(utimensat(AT_FDCWD, tree + "/f", &times, 0) == 0)
            }
            #expect(names == ["f"], "round \(round): \(names)")
            previous = try SnapshotKey(name)
        }
        let view = try #require(Mount.directoryInPlace(try snapshotter.view(key: try SnapshotKey("last"), parent: previous, labels: [:])))
        #expect(read(view + "/f") == "5555")
    }

    @Test func aStepOnAnotherParentRebuildsTheTree() throws {
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["a": "1"])]).key)
        try step(snapshotter, "left", on: base) { try write("left", to: $0 + "/side") }
        try step(snapshotter, "right", on: base) { tree in
            #expect(!FileManager.default.fileExists(atPath: tree + "/side"), "the sibling's change is still in the tree")
            #expect(read(tree + "/a") == "1")
            try write("right", to: tree + "/side")
        }
        try step(snapshotter, "after-left", on: try SnapshotKey("left")) { tree in
            #expect(read(tree + "/side") == "left")
        }
        // Each committed snapshot reads back as built, through a view.
        for (name, side) in [("left", "left"), ("right", "right")] {
            let view = try #require(Mount.directoryInPlace(try snapshotter.view(key: try SnapshotKey("view-" + name), parent: try SnapshotKey(name), labels: [:])))
            #expect(read(view + "/side") == side && read(view + "/a") == "1")
        }
    }

    @Test func oneActiveSnapshotAtATime() throws {
        let snapshotter = try snapshotter()
        _ = try snapshotter.prepare(key: try SnapshotKey("first"), parent: nil, labels: [:])
        let error = #expect(throws: StoreError.self) { try snapshotter.prepare(key: try SnapshotKey("second"), parent: nil, labels: [:]) }
        #expect(error?.code == .failedPrecondition)
        // Unpacks are layer files: they go on meanwhile.
        #expect(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["x": "1"])]).appliedLayers == 1)
        try snapshotter.remove(try SnapshotKey("first"))
        _ = try snapshotter.prepare(key: try SnapshotKey("second"), parent: nil, labels: [:])
    }

    @Test func anUndoneStepWithTheSameLayerIsStillTheTree() throws {
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["a": "1"])]).key)
        try step(snapshotter, "made", on: base) { try write("same", to: $0 + "/b") }
        // The same change again on the same parent, removed instead of committed (as the worker
        // does when the result exists): the tree still holds "made", so no rebuild.
        let again = try SnapshotKey("again")
        _ = try snapshotter.prepare(key: again, parent: base, labels: [:])
        #expect(!FileManager.default.fileExists(atPath: root + "/b"))
        // Same contents and metadata as the committed step's file, so the same layer.
        let made = try #require(Mount.directoryInPlace(try snapshotter.view(key: try SnapshotKey("look"), parent: try SnapshotKey("made"), labels: [:])))
        try write("same", to: root + "/b")
        var status = stat()
        lstat(made + "/b", &status)
        var times = [status.st_atim, status.st_mtim]
        utimensat(AT_FDCWD, root + "/b", &times, 0)
        var first = MemoryByteSink()
        try snapshotter.diff(again, to: &first, options: LayerDiffer.Options())
        var second = MemoryByteSink()
        try snapshotter.diff(try SnapshotKey("made"), to: &second, options: LayerDiffer.Options())
        #expect(Digest(of: first.bytes) == Digest(of: second.bytes), "the test wants the same layer twice")
        try snapshotter.remove(again)
        let kept = inode(root + "/b")
        try step(snapshotter, "next", on: try SnapshotKey("made")) { tree in #expect(read(tree + "/b") == "same") }
        #expect(inode(root + "/b") == kept, "the tree was rebuilt")
    }

    @Test func viewsAreSharedByParentAndGoWithTheLast() throws {
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["a": "1"]), try layer(["b": "2"], removing: ["a"])]).key)
        let one = try #require(Mount.directoryInPlace(try snapshotter.view(key: try SnapshotKey("v1"), parent: base, labels: [:])))
        let two = try #require(Mount.directoryInPlace(try snapshotter.view(key: try SnapshotKey("v2"), parent: base, labels: [:])))
        #expect(one == two)
        #expect(try FileManager.default.contentsOfDirectory(atPath: one) == ["b"])
        #expect(try snapshotter.mounts(try SnapshotKey("v1")).allSatisfy(\.isReadOnly))
        let refused = #expect(throws: StoreError.self) { try snapshotter.remove(base) }
        #expect(refused?.code == .failedPrecondition)
        try snapshotter.remove(try SnapshotKey("v1"))
        #expect(FileManager.default.fileExists(atPath: one))
        try snapshotter.remove(try SnapshotKey("v2"))
        #expect(!FileManager.default.fileExists(atPath: one))
    }

    @Test func aWrongDiffIDLeavesNothing() throws {
        let snapshotter = try snapshotter()
        var wrong = try layer(["a": "1"])
        wrong.diffID = Digest(of: Array("not this".utf8))
        let error = #expect(throws: StoreError.self) { try LayerUnpacker(snapshotter: snapshotter).unpack([wrong]) }
        #expect(error?.code == .dataLoss)
        #expect(try snapshotter.list().isEmpty)
    }

    @Test func layersRebuildTheSameTreeAsTheCopySnapshotter() throws {
        // The in-place snapshotter's layers, unpacked by the copy snapshotter, give the tree.
        let snapshotter = try snapshotter()
        let base = try #require(try LayerUnpacker(snapshotter: snapshotter).unpack([try layer(["d/x": "x", "d/y": "y", "f": "f"])]).key)
        var layers: [LayerUnpacker.Layer] = []
        for (name, parent, change) in [
            ("l1", base, { (tree: String) in
                try FileManager.default.removeItem(atPath: tree + "/d")
                try FileManager.default.createDirectory(atPath: tree + "/d", withIntermediateDirectories: false)
                try write("z", to: tree + "/d/z")
                #expect(symlink("f", tree + "/link") == 0)
            }),
            ("l2", try SnapshotKey("l1"), { (tree: String) in
                #expect(chmod(tree + "/f", 0o600) == 0)
                try FileManager.default.removeItem(atPath: tree + "/link")
            }),
        ] as [(String, SnapshotKey, (String) throws -> Void)] {
            try step(snapshotter, name, on: parent, change)
            var sink = MemoryByteSink()
            try snapshotter.diff(try SnapshotKey(name), to: &sink, options: LayerDiffer.Options())
            let bytes = sink.bytes
            layers.append(LayerUnpacker.Layer(diffID: Digest(of: bytes)) { MemoryByteSource(bytes) })
        }
        let expected = try tree()
        var baseSink = MemoryByteSink()
        try snapshotter.diff(base, to: &baseSink, options: LayerDiffer.Options())
        let baseBytes = baseSink.bytes
        let copy = try CopySnapshotter(store: store)
        let top = try #require(try LayerUnpacker(snapshotter: copy).unpack(
            [LayerUnpacker.Layer(diffID: Digest(of: baseBytes)) { MemoryByteSource(baseBytes) }] + layers).key)
        let mounts = try copy.view(key: try SnapshotKey("check"), parent: top)
        let point = directory.appending("check").path
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        try Mount.mountAll(mounts, at: point)
        defer { try? Mount.unmountAll(mounts, at: point) }
        let unpacked = try FileTree(root: point)
        #expect(unpacked == expected, "\(unpacked.differences(from: expected))")
    }

    @Test func theTreeIsLockedForOneSnapshotter() throws {
        let first = try snapshotter()
        let error = #expect(throws: StoreError.self) { _ = try InPlaceSnapshotter(store: store, root: root) }
        #expect(error?.code == .failedPrecondition)
        _ = first
    }

    @Test func mountPointsBelowTheRootAreKept() throws {
        let kept = InPlaceSnapshotter.keptPaths(under: "/", keeping: ["/nonexistent-path", "/proc/self/exe"])
        #expect(kept.contains("proc") && kept.contains("sys") && kept.contains("dev"), "\(kept.sorted())")
        #expect(!kept.contains("") && !kept.contains("nonexistent-path"))
        let executable = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        #expect(kept.contains(String(executable.dropFirst())))
    }
}
