#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI
import HoistTestSupport
import Testing

@testable import HoistStore

/// The snapshotter implementations the conformance checks run against, each on a fresh store.
enum SnapshotterImplementation: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case overlay, copy

    var testDescription: String { rawValue }

    func make(_ store: Store) throws -> any Snapshotter {
        switch self {
        case .overlay: try OverlaySnapshotter(store: store)
        case .copy: try CopySnapshotter(store: store)
        }
    }
}

/// One behaviour every ``Snapshotter`` must have, checked on a fresh store root.
struct SnapshotterCheck: Sendable, CustomTestStringConvertible {
    let name: String
    let body: @Sendable (_ snapshotter: any Snapshotter, _ fixture: SnapshotterFixture) async throws -> Void
    var testDescription: String { name }
}

/// What a check works with: the store's root and a scratch directory for mount points.
struct SnapshotterFixture: Sendable {
    let directory: TemporaryDirectory
    let store: Store

    /// Mounts `mounts` at a fresh directory, runs `body` with its path, and always unmounts.
    func withMounted<T>(_ mounts: [Mount], _ body: (String) throws -> T) throws -> T {
        let point = directory.appending("mnt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        try Mount.mountAll(mounts, at: point)
        defer { try? Mount.unmountAll(mounts, at: point) }
        return try body(point)
    }

    /// Prepares `key` on `parent`, lets `change` edit its mounted tree, and commits it as `name`.
    func layer(_ snapshotter: any Snapshotter, _ name: String, parent: String?, _ change: (String) throws -> Void) throws {
        let key = try SnapshotKey("active-" + name)
        let mounts = try snapshotter.prepare(key: key, parent: parent.map { try SnapshotKey($0) })
        try withMounted(mounts, change)
        try snapshotter.commit(name: try SnapshotKey(name), key: key)
    }

    /// The directories under `snapshots/` named by a snapshot id (left over files show here).
    func snapshotDirectories() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.root.snapshots.path).filter { Int($0) != nil }.sorted()
    }
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func read(_ path: String) -> String? {
    (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
}

func key(_ text: String) throws -> SnapshotKey { try SnapshotKey(text) }

/// The checks, after containerd's snapshots/testsuite.
enum SnapshotterConformance {
    static let checks: [SnapshotterCheck] = [
        SnapshotterCheck(name: "prepare, commit and remove") { snapshotter, fixture in
            let mounts = try snapshotter.prepare(key: key("work"), parent: nil, labels: ["purpose": "test"])
            try fixture.withMounted(mounts) { root in try write("hello", to: root + "/greeting") }
            var info = try snapshotter.stat(key("work"))
            #expect(info.kind == .active)
            #expect(info.labels == ["purpose": "test"])
            try snapshotter.commit(name: key("done"), key: key("work"))
            info = try snapshotter.stat(key("done"))
            #expect(info.kind == .committed && info.parent == nil && info.labels == ["purpose": "test"])
            let missing = #expect(throws: StoreError.self) { try snapshotter.stat(key("work")) }
            #expect(missing?.code == .notFound)
            #expect(try snapshotter.list().map(\.key) == [key("done")])
            let text = try fixture.withMounted(try snapshotter.mounts(key("done"))) { read($0 + "/greeting") }
            #expect(text == "hello")
            try snapshotter.remove(key("done"))
            #expect(try snapshotter.list().isEmpty)
            let left = try fixture.snapshotDirectories()
            #expect(left.isEmpty, "snapshot directories left: \(left)")
        },
        SnapshotterCheck(name: "parent chains four deep") { snapshotter, fixture in
            try fixture.layer(snapshotter, "l1", parent: nil) { root in
                try write("1", to: root + "/one")
                try write("old", to: root + "/changed")
            }
            try fixture.layer(snapshotter, "l2", parent: "l1") { root in
                try write("2", to: root + "/two")
                try write("new", to: root + "/changed")
            }
            try fixture.layer(snapshotter, "l3", parent: "l2") { root in
                try FileManager.default.createDirectory(atPath: root + "/dir/sub", withIntermediateDirectories: true)
                try write("3", to: root + "/dir/sub/three")
            }
            let mounts = try snapshotter.prepare(key: key("top"), parent: key("l3"))
            try fixture.withMounted(mounts) { root in
                #expect(read(root + "/one") == "1")
                #expect(read(root + "/two") == "2")
                #expect(read(root + "/changed") == "new")
                #expect(read(root + "/dir/sub/three") == "3")
                try write("4", to: root + "/four")
            }
            #expect(try snapshotter.stat(key("top")).parent == key("l3"))
            #expect(try snapshotter.stat(key("l2")).parent == key("l1"))
            // The parent did not see the child's write.
            try fixture.withMounted(try snapshotter.mounts(key("l3"))) { root in
                #expect(!FileManager.default.fileExists(atPath: root + "/four"))
            }
        },
        SnapshotterCheck(name: "a view is read-only") { snapshotter, fixture in
            try fixture.layer(snapshotter, "base", parent: nil) { root in try write("b", to: root + "/file") }
            try fixture.layer(snapshotter, "next", parent: "base") { root in try write("n", to: root + "/other") }
            for parent in ["base", "next"] {
                let mounts = try snapshotter.view(key: key("view-" + parent), parent: key(parent))
                #expect(mounts.allSatisfy { $0.isReadOnly }, "view mounts: \(mounts)")
                try fixture.withMounted(mounts) { root in
                    #expect(read(root + "/file") == "b")
                    let status = open(root + "/new", O_WRONLY | O_CREAT, 0o644)
                    let code = errno
                    if status >= 0 { close(status) }
                    #expect(status < 0 && code == EROFS, "creating a file in a view of \(parent): \(status), errno \(code)")
                }
                #expect(try snapshotter.stat(key("view-" + parent)).kind == .view)
                let commit = #expect(throws: StoreError.self) { try snapshotter.commit(name: key("x"), key: key("view-" + parent)) }
                #expect(commit?.code == .failedPrecondition)
            }
        },
        SnapshotterCheck(name: "a parent with children cannot be removed") { snapshotter, fixture in
            try fixture.layer(snapshotter, "parent", parent: nil) { root in try write("p", to: root + "/p") }
            _ = try snapshotter.prepare(key: key("child"), parent: key("parent"))
            _ = try snapshotter.view(key: key("look"), parent: key("parent"))
            let refused = #expect(throws: StoreError.self) { try snapshotter.remove(key("parent")) }
            #expect(refused?.code == .failedPrecondition)
            try snapshotter.remove(key("child"))
            #expect(throws: StoreError.self) { try snapshotter.remove(key("parent")) }
            try snapshotter.remove(key("look"))
            try snapshotter.remove(key("parent"))
            #expect(try fixture.snapshotDirectories().isEmpty)
            let active = #expect(throws: StoreError.self) { try snapshotter.prepare(key: key("c"), parent: key("nothing")) }
            #expect(active?.code == .notFound)
        },
        SnapshotterCheck(name: "only committed snapshots are parents, and they never change") { snapshotter, fixture in
            try fixture.layer(snapshotter, "fixed", parent: nil) { root in try write("v1", to: root + "/file") }
            _ = try snapshotter.prepare(key: key("open"), parent: nil)
            let notCommitted = #expect(throws: StoreError.self) { try snapshotter.prepare(key: key("c"), parent: key("open")) }
            #expect(notCommitted?.code == .failedPrecondition)
            let again = #expect(throws: StoreError.self) { try snapshotter.commit(name: key("fixed2"), key: key("fixed")) }
            #expect(again?.code == .failedPrecondition)
            let taken = #expect(throws: StoreError.self) { try snapshotter.prepare(key: key("fixed"), parent: nil) }
            #expect(taken?.code == .alreadyExists)
            let nameTaken = #expect(throws: StoreError.self) { try snapshotter.commit(name: key("fixed"), key: key("open")) }
            #expect(nameTaken?.code == .alreadyExists)
            let layer = MemoryByteSource([UInt8](repeating: 0, count: 1024))
            let apply = #expect(throws: StoreError.self) { try snapshotter.apply(layer, to: key("fixed"), expectedDiffID: nil) }
            #expect(apply?.code == .failedPrecondition)
            let mounts = try snapshotter.mounts(key("fixed"))
            #expect(mounts.allSatisfy { $0.isReadOnly }, "committed mounts: \(mounts)")
            try fixture.withMounted(mounts) { root in
                let status = open(root + "/file", O_WRONLY | O_TRUNC)
                if status >= 0 { close(status) }
                #expect(status < 0 && errno == EROFS)
            }
            // A child's change stays in the child.
            try fixture.layer(snapshotter, "child", parent: "fixed") { root in try write("v2", to: root + "/file") }
            try fixture.withMounted(try snapshotter.mounts(key("fixed"))) { root in #expect(read(root + "/file") == "v1") }
            try fixture.withMounted(try snapshotter.mounts(key("child"))) { root in #expect(read(root + "/file") == "v2") }
        },
        SnapshotterCheck(name: "deletions in a child hide the parent's files, and survive diff and unpack") { snapshotter, fixture in
            try fixture.layer(snapshotter, "parent", parent: nil) { root in
                try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: root + "/d", withIntermediateDirectories: true)
                try write("x", to: root + "/a/x")
                try write("y", to: root + "/a/y")
                try write("1", to: root + "/d/1")
                try write("2", to: root + "/d/2")
                try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "a/y")
            }
            try fixture.layer(snapshotter, "child", parent: "parent") { root in
                try FileManager.default.removeItem(atPath: root + "/a/x")
                try FileManager.default.removeItem(atPath: root + "/d")
                try FileManager.default.createDirectory(atPath: root + "/d", withIntermediateDirectories: true)
                try write("3", to: root + "/d/3")
                try FileManager.default.removeItem(atPath: root + "/link")
            }
            let expected = try fixture.withMounted(try snapshotter.mounts(key("child"))) { root in
                #expect(!FileManager.default.fileExists(atPath: root + "/a/x"))
                #expect(read(root + "/a/y") == "y")
                #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/d") == ["3"])
                return try FileTree(root: root)
            }
            // Diff both layers, then unpack the diffs as an image would be: the same tree.
            var layers: [LayerUnpacker.Layer] = []
            for name in ["parent", "child"] {
                var sink = DigestingSink(MemoryByteSink())
                try snapshotter.diff(key(name), to: &sink)
                let bytes = sink.inner.bytes
                layers.append(LayerUnpacker.Layer(diffID: sink.digest) { MemoryByteSource(bytes) })
                if name == "child" {
                    var reader = TarReader(MemoryByteSource(bytes))
                    var names: [String] = []
                    while let header = try reader.next() { names.append(header.name) }
                    #expect(names.contains("a/.wh.x") && names.contains(".wh.link"), "child layer: \(names)")
                    #expect(!names.contains("a/y"), "unchanged a/y is in the child layer: \(names)")
                }
            }
            let unpacker = LayerUnpacker(snapshotter: snapshotter)
            let result = try unpacker.unpack(layers)
            #expect(result.appliedLayers == 2)
            let top = try #require(result.key)
            #expect(top == SnapshotKey(chainID: ChainID.chain(layers.map(\.diffID))[1]))
            let unpacked = try fixture.withMounted(try snapshotter.view(key: key("check"), parent: top)) { try FileTree(root: $0) }
            #expect(unpacked == expected, "unpacked tree differs: \(unpacked.differences(from: expected))")
            // Unpacking the same layers again finds them.
            let second = try unpacker.unpack(layers)
            #expect(second.appliedLayers == 0 && second.key == top)
        },
        SnapshotterCheck(name: "a layer with the wrong diffID leaves nothing") { snapshotter, fixture in
            try fixture.layer(snapshotter, "base", parent: nil) { root in try write("b", to: root + "/b") }
            var sink = MemoryByteSink()
            try snapshotter.diff(key("base"), to: &sink)
            let bytes = sink.bytes
            let wrong = Digest(of: Array("not this".utf8))
            let error = #expect(throws: StoreError.self) {
                try LayerUnpacker(snapshotter: snapshotter).unpack([LayerUnpacker.Layer(diffID: wrong) { MemoryByteSource(bytes) }])
            }
            #expect(error?.code == .dataLoss)
            #expect(try snapshotter.list().map(\.key) == [key("base")])
            #expect(try fixture.snapshotDirectories().count == 1)
        },
        SnapshotterCheck(name: "a hundred stacked layers mount") { snapshotter, fixture in
            var parent: String?
            for index in 0..<100 {
                let name = "layer-\(index)"
                let key = try key("active-" + name)
                _ = try snapshotter.prepare(key: key, parent: parent.map { try SnapshotKey($0) })
                var writer = TarWriter(MemoryByteSink())
                try writer.writeEntry(TarHeader(name: "file-\(index)", mode: 0o644, size: Int64("\(index)".utf8.count)), bytes: Array("\(index)".utf8))
                try writer.finish()
                _ = try snapshotter.apply(MemoryByteSource(writer.sink.bytes), to: key, expectedDiffID: nil)
                try snapshotter.commit(name: try SnapshotKey(name), key: key)
                parent = name
            }
            let mounts = try snapshotter.prepare(key: key("top"), parent: key("layer-99"))
            let length = mounts.flatMap(\.options).joined(separator: ",").utf8.count
            if snapshotter.name == "overlay" { #expect(length > 4096, "the test wants options beyond a page, got \(length) bytes") }
            try fixture.withMounted(mounts) { root in
                #expect(read(root + "/file-0") == "0")
                #expect(read(root + "/file-99") == "99")
                let names = try FileManager.default.contentsOfDirectory(atPath: root)
                #expect(names.count == 100)
            }
        },
        SnapshotterCheck(name: "concurrent prepares") { snapshotter, fixture in
            try fixture.layer(snapshotter, "base", parent: nil) { root in try write("b", to: root + "/b") }
            let outcomes = await withTaskGroup(of: (Int, ErrorCode?).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        // Keys 0-3 are wanted three times each: exactly one prepare of each wins.
                        let name = index < 9 ? "same-\(index % 3)" : "own-\(index)"
                        do {
                            _ = try snapshotter.prepare(key: try SnapshotKey(name), parent: try SnapshotKey("base"))
                            return (index, nil)
                        } catch let error as StoreError {
                            return (index, error.code)
                        } catch {
                            return (index, .internal)
                        }
                    }
                }
                var all: [(Int, ErrorCode?)] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let failures = outcomes.compactMap { $0.1 }
            #expect(failures.count == 6 && failures.allSatisfy { $0 == .alreadyExists }, "outcomes: \(outcomes)")
            #expect(try snapshotter.list().count == 1 + 3 + 3)
            #expect(try fixture.snapshotDirectories().count == 7)
        },
        SnapshotterCheck(name: "concurrent unpacks of the same layers agree") { snapshotter, fixture in
            var layers: [LayerUnpacker.Layer] = []
            for index in 0..<3 {
                var writer = TarWriter(MemoryByteSink())
                let contents = Array(String(repeating: "\(index)", count: 100_000).utf8)
                try writer.writeEntry(TarHeader(name: "file-\(index)", size: Int64(contents.count)), bytes: contents)
                try writer.finish()
                let bytes = writer.sink.bytes
                layers.append(LayerUnpacker.Layer(diffID: Digest(of: bytes)) { MemoryByteSource(bytes) })
            }
            let unpacker = LayerUnpacker(snapshotter: snapshotter)
            let allLayers = layers
            let keys = try await withThrowingTaskGroup(of: SnapshotKey?.self) { group in
                for _ in 0..<4 { group.addTask { try unpacker.unpack(allLayers).key } }
                var keys: [SnapshotKey?] = []
                for try await key in group { keys.append(key) }
                return keys
            }
            let expected = SnapshotKey(chainID: ChainID.chain(layers.map(\.diffID))[2])
            #expect(keys == Array(repeating: expected, count: 4))
            let left = try snapshotter.list()
            #expect(left.count == 3 && left.allSatisfy { $0.kind == .committed }, "snapshots: \(left.map(\.key))")
            #expect(try fixture.snapshotDirectories().count == 3)
        },
        SnapshotterCheck(name: "usage counts the snapshot's own files") { snapshotter, fixture in
            try fixture.layer(snapshotter, "big", parent: nil) { root in
                try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: root + "/blob"))
            }
            try fixture.layer(snapshotter, "small", parent: "big") { root in try write("s", to: root + "/s") }
            let big = try snapshotter.usage(key("big"))
            #expect(big.size >= 1 << 20 && big.inodes == 2, "usage of big: \(big)")
            let small = try snapshotter.usage(key("small"))
            // The copy snapshotter holds a full tree; overlay only the change.
            let expectedInodes: Int64 = snapshotter.name == "copy" ? 3 : 2
            #expect(small.inodes == expectedInodes, "usage of small: \(small)")
        },
    ]
}

@Suite("SnapshotterConformance", .enabled(if: getuid() == 0, "mounts need root"))
struct SnapshotterConformanceTests {
    @Test(arguments: SnapshotterImplementation.allCases, SnapshotterConformance.checks)
    func conforms(_ implementation: SnapshotterImplementation, _ check: SnapshotterCheck) async throws {
        let directory = try TemporaryDirectory()
        let store = try Store(root: StoreRoot(directory.appending("store")))
        let fixture = SnapshotterFixture(directory: directory, store: store)
        try await check.body(try implementation.make(store), fixture)
        let mounted = ProcFile.read("/proc/self/mountinfo") ?? ""
        #expect(!mounted.contains(directory.path), "mounts left under \(directory.path)")
    }

    @Test func automaticChoiceIsOverlayHere() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(root: StoreRoot(directory.url))
        #expect(try store.snapshotter(environment: [:]).name == "overlay")
        #expect(try store.snapshotter(environment: ["HOIST_SNAPSHOTTER": "copy"]).name == "copy")
        let error = #expect(throws: StoreError.self) { try store.snapshotter(environment: ["HOIST_SNAPSHOTTER": "zfs"]) }
        #expect(error?.code == .invalidArgument)
    }
}

@Suite("ChainID and SnapshotKey")
struct SnapshotterChainIDTests {
    @Test func matchesTheImageSpecDefinition() throws {
        let a = Digest(of: Array("layer a".utf8))
        let b = Digest(of: Array("layer b".utf8))
        let c = Digest(of: Array("layer c".utf8))
        let chain = ChainID.chain([a, b, c])
        #expect(chain[0].digest == a)
        // sha256sum computes the expected values independently of Hoist's hashing.
        let second = try ExternalCommand.checked(["sh", "-c", "printf '%s' '\(a) \(b)' | sha256sum"]).text.prefix(64)
        #expect(chain[1].digest.encoded == second)
        let third = try ExternalCommand.checked(["sh", "-c", "printf '%s' 'sha256:\(second) \(c)' | sha256sum"]).text.prefix(64)
        #expect(chain[2].digest.encoded == third)
    }

    @Test(arguments: ["", "a\nb", "nul\0byte", String(repeating: "k", count: 1025)])
    func invalidKeysAreRefused(_ text: String) {
        let error = #expect(throws: StoreError.self) { try SnapshotKey(text) }
        #expect(error?.code == .invalidArgument)
    }
}

@Suite("Snapshotter crash leftovers", .enabled(if: getuid() == 0, "snapshot files are owned by root"))
struct SnapshotterLeftoverTests {
    @Test(arguments: SnapshotterImplementation.allCases)
    func leftoversAreRemovedOnOpen(_ implementation: SnapshotterImplementation) throws {
        let directory = try TemporaryDirectory()
        let store = try Store(root: StoreRoot(directory.url))
        let snapshotter = try implementation.make(store)
        _ = try snapshotter.prepare(key: key("kept"), parent: nil)
        let snapshots = store.root.snapshots.path
        let old = Date().addingTimeInterval(-7200)
        for name in ["removing-7-x", "999", "empty-young"] {
            try FileManager.default.createDirectory(atPath: snapshots + "/" + name + "/fs", withIntermediateDirectories: true)
        }
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: snapshots + "/removing-7-x")
        _ = try implementation.make(store)
        let left = try FileManager.default.contentsOfDirectory(atPath: snapshots).sorted()
        // The live snapshot and the young scratch directory stay; the rest goes.
        #expect(left == ["1", "empty-young"], "left: \(left)")
        #expect(try snapshotter.stat(key("kept")).kind == .active)
    }
}
