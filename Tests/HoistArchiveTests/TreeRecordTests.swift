import Foundation
import Glibc
import HoistOCI
import Testing

@testable import HoistArchive

/// The stat-record diff of pod isolation (``TreeRecord``, ``LayerDiffer/diff(since:to:)``): a
/// tree changed in place after a record, diffed, must be rebuilt exactly by applying the layer to
/// a copy of the tree as it was — checked with ``LayerDiffer/diff(lower:upper:to:)`` (types,
/// modes, owners, times, xattrs, contents) and a snapshot of both trees — and the layer must
/// hold only what changed.
@Suite("Tree records")
struct TreeRecordTests {
    /// The tree every check starts from, as a layer.
    static let base: [UInt8] = try! makeTar([
        dir("etc"), file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), file("etc/group", "root:x:0:\n"),
        dir("opt"), dir("opt/dir"), file("opt/dir/a", "a"), dir("opt/dir/sub"), file("opt/dir/sub/b", "b"),
        file("opt/keep", "keep"), file("opt/same-size", "12345"), symlink("opt/link", to: "keep"),
        dir("bin"), file("bin/tool", "#!/bin/sh\n", mode: 0o755), hardlink("bin/alias", to: "bin/tool"),
        dir("untouched"), file("untouched/big", String(repeating: "x", count: 100_000)),
        dir("kept"), file("kept/store", "the store"),
    ])

    /// What one check found: the layer's entries, and how the rebuilt tree differs.
    struct Outcome {
        var headers: [TarHeader]
        var differences: [String]
        var names: [String] { headers.map(\.name) }
    }

    /// Applies the base into `live` and `rebuilt`, records `live`, lets `change` edit it, diffs
    /// it, applies the layer to `rebuilt`, and compares the two.
    func rebuild(excluding: Set<String> = [], _ change: (String) throws -> Void) throws -> Outcome {
        try withoutActuallyEscaping(change) { try rebuildChain(excluding: excluding, [$0])[0] }
    }

    /// ``rebuild(excluding:_:)`` for steps one after another, each diffed against the record the
    /// diff before left (as pod isolation chains steps); each step's outcome also says where that
    /// record differs from a fresh record of the tree.
    func rebuildChain(excluding: Set<String> = [], _ changes: [(String) throws -> Void]) throws -> [Outcome] {
        let directory = try TempDirectory()
        let live = try directory.directory("live")
        let rebuilt = try directory.directory("rebuilt")
        for root in [live, rebuilt] { _ = try LayerApplier(root: root).apply(MemoryByteSource(Self.base)) }
        var record = try TreeRecord(root: live, excluding: excluding)
        var outcomes: [Outcome] = []
        for change in changes {
            record.waitUntilLaterChangesShow()
            try change(live)
            var sink = MemoryByteSink()
            let diffed = try LayerDiffer().diffRecording(since: record, to: &sink)
            record = diffed.record
            var options = LayerApplier.Options()
            options.preserved = excluding
            _ = try LayerApplier(root: rebuilt, options: options).apply(MemoryByteSource(sink.bytes))
            var found = differences(try snapshot(live, skipping: excluding), try snapshot(rebuilt, skipping: excluding))
            // LayerDiffer compares xattrs and directory times too: nothing may be left to write.
            var remaining = MemoryByteSink()
            try LayerDiffer().diff(lower: rebuilt, upper: live, to: &remaining)
            found += try readTar(remaining.bytes).map(\.0.name).filter { name in !excluding.contains { name.hasPrefix($0) } }
                .map { "the layer missed \($0)" }
            found += Self.recordDifferences(record, try TreeRecord(root: live, excluding: excluding)).map { "the diff's record: \($0)" }
            outcomes.append(Outcome(headers: try readTar(sink.bytes).map(\.0), differences: found))
        }
        return outcomes
    }

    /// Where two records of a tree differ, by path.
    static func recordDifferences(_ left: TreeRecord, _ right: TreeRecord) -> [String] {
        let (a, b) = (flatten(left), flatten(right))
        var found: [String] = []
        if left.rootEntry != right.rootEntry { found.append("the root differs") }
        if left.count != right.count { found.append("\(left.count) entries ≠ \(right.count)") }
        for path in Set(a.keys).union(b.keys).sorted() where a[path] != b[path] {
            found.append("\(path): \(a[path].map { "\($0)" } ?? "missing") ≠ \(b[path].map { "\($0)" } ?? "missing")")
        }
        return found
    }

    /// Every recorded path, with what was recorded of it.
    static func flatten(_ record: TreeRecord) -> [String: TreeRecord.Entry] {
        var result: [String: TreeRecord.Entry] = [:]
        func walk(_ index: Int32, _ prefix: String) {
            let directory = record.directories[Int(index)]
            for child in directory.children {
                let name = String(decoding: directory.names[Int(child.nameOffset)..<Int(child.nameOffset + child.nameLength)], as: UTF8.self)
                let path = prefix.isEmpty ? name : prefix + "/" + name
                result[path] = child.entry
                if child.directory >= 0 { walk(child.directory, path) }
            }
        }
        walk(0, "")
        return result
    }

    /// ``rebuild(excluding:_:)`` expecting no difference; returns the layer's entry names.
    func check(excluding: Set<String> = [], _ change: (String) throws -> Void) throws -> [String] {
        let outcome = try rebuild(excluding: excluding, change)
        #expect(outcome.differences.isEmpty, "rebuilt ≠ live:\n\(outcome.differences.joined(separator: "\n"))")
        return outcome.names
    }

    @Test func nothingChangedIsAnEmptyLayer() throws {
        #expect(try check { _ in }.isEmpty)
    }

    @Test func additionsChangesAndMetadata() throws {
        let names = try check { root in
            try writeFile(root + "/opt/new", Array("new".utf8))
            try writeFile(root + "/opt/keep", Array("changed contents".utf8))
            #expect(chmod(root + "/etc/group", 0o600) == 0)
            #expect(lchown(root + "/etc/passwd", 1, 1) == 0)
            try FileManager.default.createDirectory(atPath: root + "/srv/a/b", withIntermediateDirectories: true)
            try writeFile(root + "/srv/a/b/c", Array("deep".utf8))
            #expect(mkfifo(root + "/srv/pipe", 0o644) == 0)
        }
        for expected in ["opt/new", "opt/keep", "etc/group", "etc/passwd", "srv", "srv/a/b/c", "srv/pipe"] {
            #expect(names.contains(expected), "\(expected) is not in \(names)")
        }
        // Untouched files are not read.
        #expect(!names.contains("untouched/big") && !names.contains("opt/dir/a"), "\(names)")
    }

    @Test func aSameSizeRewriteWithItsTimeRestoredIsSeen() throws {
        let names = try check { root in
            let path = root + "/opt/same-size"
            var before = stat()
            lstat(path, &before)
            try writeFile(path, Array("54321".utf8))
            var times = [before.st_atim, before.st_mtim]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        #expect(names.contains("opt/same-size"), "\(names)")
    }

    @Test func xattrsAreSeen() throws {
        let names = try check { root in
            #expect(FileSystem.setXattr(root + "/opt/keep", "user.hoist", Array("v".utf8)) == 0)
        }
        // The parent comes along, as in every layer of a change below it.
        #expect(names == ["opt", "opt/keep"], "\(names)")
    }

    @Test func deletionsBecomeWhiteouts() throws {
        let names = try check { root in
            try FileManager.default.removeItem(atPath: root + "/opt/dir")
            try FileManager.default.removeItem(atPath: root + "/opt/link")
            try FileManager.default.removeItem(atPath: root + "/bin/alias")
        }
        #expect(names.contains("opt/.wh.dir") && names.contains("opt/.wh.link") && names.contains("bin/.wh.alias"), "\(names)")
        // The deleted directory's children need no whiteouts of their own.
        #expect(!names.contains { $0.hasPrefix("opt/dir/") }, "\(names)")
    }

    @Test func aReplacedDirectoryIsOpaque() throws {
        let names = try check { root in
            try FileManager.default.removeItem(atPath: root + "/opt/dir")
            // Another directory meanwhile, so the replacement cannot reuse the inode.
            try FileManager.default.createDirectory(atPath: root + "/opt/placeholder", withIntermediateDirectories: false)
            try FileManager.default.createDirectory(atPath: root + "/opt/dir", withIntermediateDirectories: false)
            try writeFile(root + "/opt/dir/new", Array("n".utf8))
        }
        #expect(names.contains("opt/dir/.wh..wh..opq") || names.contains("opt/dir/.wh.a"), "\(names)")
        #expect(names.contains("opt/dir/new"))
    }

    @Test func typeChangesBothWays() throws {
        _ = try check { root in
            try FileManager.default.removeItem(atPath: root + "/opt/keep")
            try FileManager.default.createDirectory(atPath: root + "/opt/keep", withIntermediateDirectories: false)
            try writeFile(root + "/opt/keep/inside", Array("i".utf8))
            try FileManager.default.removeItem(atPath: root + "/opt/dir")
            try writeFile(root + "/opt/dir", Array("now a file".utf8))
            try FileManager.default.removeItem(atPath: root + "/opt/link")
            try FileManager.default.createSymbolicLink(atPath: root + "/opt/link", withDestinationPath: "dir")
        }
    }

    @Test func hardLinksStayLinked() throws {
        let directory = try TempDirectory()
        let live = try directory.directory("live")
        let rebuilt = try directory.directory("rebuilt")
        for root in [live, rebuilt] { _ = try LayerApplier(root: root).apply(MemoryByteSource(Self.base)) }
        let record = try TreeRecord(root: live)
        try writeFile(live + "/opt/target", Array("t".utf8))
        #expect(link(live + "/opt/target", live + "/opt/second") == 0)
        #expect(chmod(live + "/bin/tool", 0o700) == 0)
        var sink = MemoryByteSink()
        try LayerDiffer().diff(since: record, to: &sink)
        _ = try LayerApplier(root: rebuilt).apply(MemoryByteSource(sink.bytes))
        var first = stat()
        var second = stat()
        lstat(rebuilt + "/opt/target", &first)
        lstat(rebuilt + "/opt/second", &second)
        #expect(first.st_ino == second.st_ino, "the new hard link was not kept")
        // A chmod through one name shows on both: both are written, linked.
        lstat(rebuilt + "/bin/tool", &first)
        lstat(rebuilt + "/bin/alias", &second)
        #expect(first.st_ino == second.st_ino && first.st_mode & 0o777 == 0o700)
    }

    @Test func excludedPathsAreNeitherWrittenNorRemoved() throws {
        let names = try check(excluding: ["kept"]) { root in
            try writeFile(root + "/kept/store", Array("changed by the store".utf8))
            try writeFile(root + "/kept/new", Array("new".utf8))
            try writeFile(root + "/opt/new", Array("new".utf8))
        }
        #expect(names == ["opt", "opt/new"], "\(names)")
    }

    /// Random changes, each trial from a fresh base: the rebuilt tree always equals the live one.
    /// `HOIST_TREE_RECORD_TRIALS` sets how many (CI runs a short slice).
    @Test func randomChangesRebuildTheLiveTree() throws {
        let trials = Int(ProcessInfo.processInfo.environment["HOIST_TREE_RECORD_TRIALS"] ?? "") ?? 25
        var generator = SeededGenerator(seed: 0x5EED)
        for trial in 0..<trials {
            var operations: [String] = []
            let outcome = try rebuild { root in
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    operations.append(try Self.randomChange(in: root, using: &generator))
                }
            }
            guard outcome.differences.isEmpty else {
                Issue.record("trial \(trial) (\(operations.joined(separator: "; "))):\n\(outcome.differences.joined(separator: "\n"))")
                return
            }
        }
    }

    /// Makes one random change under `root` and says what it was.
    static func randomChange(in root: String, using generator: inout SeededGenerator) throws -> String {
        var paths: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            if !path.hasPrefix("kept") { paths.append(path) }
        }
        paths.sort()
        let path = paths.randomElement(using: &generator) ?? "opt"
        let full = root + "/" + path
        var status = stat()
        lstat(full, &status)
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        let name = "n\(UInt16.random(in: 0...999, using: &generator))"
        switch Int.random(in: 0..<9, using: &generator) {
        case 0 where isDirectory:
            try writeFile(full + "/" + name, Array(name.utf8))
            return "add \(path)/\(name)"
        case 1 where isDirectory:
            try FileManager.default.createDirectory(atPath: full + "/" + name, withIntermediateDirectories: false)
            return "mkdir \(path)/\(name)"
        case 2:
            try FileManager.default.removeItem(atPath: full)
            return "rm -r \(path)"
        case 3 where status.st_mode & S_IFMT == S_IFREG:
            try writeFile(full, Array("rewritten \(name)".utf8))
            return "write \(path)"
        case 4 where status.st_mode & S_IFMT != S_IFLNK:
            chmod(full, mode_t(UInt16.random(in: 0o500...0o777, using: &generator)))
            return "chmod \(path)"
        case 5:
            lchown(full, uid_t.random(in: 0...3, using: &generator), gid_t.random(in: 0...3, using: &generator))
            return "chown \(path)"
        case 6 where isDirectory:
            try FileManager.default.createSymbolicLink(atPath: full + "/" + name, withDestinationPath: "../" + name)
            return "symlink \(path)/\(name)"
        case 7 where status.st_mode & S_IFMT == S_IFREG:
            let other = (full as NSString).deletingLastPathComponent + "/" + name
            link(full, other)
            return "link \(path) \(other)"
        case 8 where isDirectory && path != "opt":
            try FileManager.default.removeItem(atPath: full)
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
            try writeFile(full + "/" + name, Array(name.utf8))
            return "replace \(path)"
        default:
            var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: Int.random(in: 1_000_000...2_000_000_000, using: &generator), tv_nsec: 0)]
            utimensat(AT_FDCWD, full, &times, AT_SYMLINK_NOFOLLOW)
            return "touch \(path)"
        }
    }
}

/// LayerApplier's kept paths (``LayerApplier/Options/preserved``): what pod isolation's tree
/// keeps from its container when a layer is applied over it.
@Suite("Kept paths when applying layers")
struct PreservedPathTests {
    func tree() throws -> (TempDirectory, String) {
        let directory = try TempDirectory()
        let root = try directory.directory("root")
        _ = try LayerApplier(root: root).apply(MemoryByteSource(TreeRecordTests.base))
        try FileManager.default.createDirectory(atPath: root + "/proc/1", withIntermediateDirectories: true)
        try writeFile(root + "/proc/1/status", Array("kept".utf8))
        return (directory, root)
    }

    func apply(_ entries: [(TarHeader, [UInt8])], to root: String, keeping: Set<String>) throws {
        var options = LayerApplier.Options()
        options.preserved = keeping
        _ = try LayerApplier(root: root, options: options).apply(MemoryByteSource(try makeTar(entries)))
    }

    @Test func anOpaqueRootEmptiesAllButTheKeptPaths() throws {
        let (directory, root) = try tree()
        _ = directory
        try apply([file(".wh..wh..opq", "")], to: root, keeping: ["proc", "kept/store", "etc/passwd"])
        let left = try snapshot(root, times: false).keys.sorted()
        #expect(left == ["etc", "etc/passwd", "kept", "kept/store", "proc", "proc/1", "proc/1/status"], "\(left)")
    }

    @Test func entriesUnderKeptPathsAreSkipped() throws {
        let (directory, root) = try tree()
        _ = directory
        try apply([dir("proc"), file("proc/1/status", "from the layer"), file("proc/new", "x"), file("etc/passwd", "layer's")],
                  to: root, keeping: ["proc", "etc/passwd"])
        #expect(try readFile(root + "/proc/1/status") == Array("kept".utf8))
        #expect(!exists(root + "/proc/new"))
        #expect(try readFile(root + "/etc/passwd") == Array("root:x:0:0::/root:/bin/sh\n".utf8))
    }

    @Test func aWhiteoutOfAHolderEmptiesItAroundTheKeptPath() throws {
        let (directory, root) = try tree()
        _ = directory
        try writeFile(root + "/kept/other", Array("o".utf8))
        try apply([file(".wh.kept", ""), file("proc/.wh.1", "")], to: root, keeping: ["kept/store", "proc"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/kept") == ["store"])
        #expect(exists(root + "/proc/1/status"))
    }

    @Test func replacingAHolderWithAFileIsRefused() throws {
        let (directory, root) = try tree()
        _ = directory
        let error = #expect(throws: ArchiveError.self) { try apply([file("kept", "a file")], to: root, keeping: ["kept/store"]) }
        #expect(error?.code == .failedPrecondition)
        #expect(exists(root + "/kept/store"))
    }
}
