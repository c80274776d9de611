import Foundation
import HoistOCI
import Testing

@testable import HoistArchive

@Suite struct LayerDiffTests {
    /// A lower tree with a bit of everything.
    static func makeLower(_ path: String) throws {
        try sh("""
            set -e; cd '\(path)'
            mkdir -p etc/sub keep/deep gone/inner replaced-dir bin
            printf 'one' > etc/one; printf 'two' > etc/two; printf 'same' > etc/same
            printf 'deep' > keep/deep/file; printf 'g' > gone/inner/g; printf 'r' > replaced-dir/r
            printf 'file' > replaced-file; printf 'bin' > bin/tool; ln -s ../etc/one bin/link
            printf 'shared' > etc/shared; ln etc/shared etc/shared-link
            touch -d '2020-01-01 00:00:00' etc/same
            """)
    }

    /// Changes of every kind, applied to a copy of the lower tree.
    static func mutate(_ path: String) throws {
        try sh("""
            set -e; cd '\(path)'
            printf 'ONE' > etc/one
            touch -d '2020-01-01 00:00:00' etc/same.tmp; cp etc/same etc/same.orig
            printf 'SAME' > etc/same; touch -d '2020-01-01 00:00:00' etc/same; rm etc/same.tmp etc/same.orig
            chmod 0600 etc/two
            rm -r gone
            rm -r replaced-dir; printf 'now a file' > replaced-dir
            rm replaced-file; mkdir replaced-file; printf 'inside' > replaced-file/x
            ln -sf ../etc/two bin/link
            mkdir -p new/dir; printf 'new' > new/dir/file; ln new/dir/file new/hard
            mkfifo new/fifo
            chmod 4755 bin/tool
            \(isRoot ? "chown 1234:5678 etc/two" : "true")
            """)
        _ = FileSystem.setXattr(path + "/etc/sub", "user.note", Array("hello".utf8))
    }

    func diffAndApply(lower: String, upper: String, target: String) throws -> (tar: [UInt8], entries: [TarHeader]) {
        var sink = MemoryByteSink()
        try LayerDiffer().diff(lower: lower, upper: upper, to: &sink)
        let entries = try readTar(sink.bytes).map(\.0)
        _ = try LayerApplier(root: target).apply(MemoryByteSource(sink.bytes))
        return (sink.bytes, entries)
    }

    @Test func diffThenApplyReproducesTheTree() throws {
        let tmp = try TempDirectory()
        let lower = try tmp.directory("lower")
        try Self.makeLower(lower)
        try sh("cp -a '\(lower)' '\(tmp.path)/upper' && cp -a '\(lower)' '\(tmp.path)/target'")
        let upper = tmp.path + "/upper"
        try Self.mutate(upper)
        let (_, entries) = try diffAndApply(lower: lower, upper: upper, target: tmp.path + "/target")

        let diff = differences(try snapshot(upper), try snapshot(tmp.path + "/target"))
        #expect(diff.isEmpty, "trees differ:\n\(diff.joined(separator: "\n"))")

        let names = entries.map(\.name)
        #expect(names.contains(".wh.gone"))
        #expect(!names.contains { $0.hasPrefix("gone/") }, "\(names)")
        #expect(names.contains("etc/same"), "same size and whole-second mtime but new contents must be detected: \(names)")
        #expect(!names.contains("keep/deep/file") && !names.contains("keep"), "unchanged paths written: \(names)")
        #expect(!names.contains("etc/shared"), "\(names)")
        #expect(entries.first { $0.name == "new/hard" }?.type == .hardLink)
        #expect(entries.allSatisfy { $0.userName.isEmpty && $0.groupName.isEmpty })
        #expect(try FileSystem.xattrs(tmp.path + "/target/etc/sub")["user.note"] == Array("hello".utf8))
        for (index, name) in names.enumerated() {
            let parent = name.split(separator: "/").dropLast().joined(separator: "/")
            if !parent.isEmpty {
                #expect(names[..<index].contains(parent), "\(name) comes before its parent \(parent)")
            }
        }
    }

    @Test func outputIsDeterministicAndClampedToSourceDateEpoch() throws {
        let tmp = try TempDirectory()
        let lower = try tmp.directory("lower")
        let upper = try tmp.directory("upper")
        try Self.makeLower(upper)
        try sh("touch -d '1990-01-01' '\(upper)/etc/one'")
        let differ = LayerDiffer(options: .init(sourceDateEpoch: 1_000_000_000))
        var first = MemoryByteSink()
        var second = MemoryByteSink()
        try differ.diff(lower: lower, upper: upper, to: &first)
        try differ.diff(lower: lower, upper: upper, to: &second)
        #expect(first.bytes == second.bytes)
        let headers = try readTar(first.bytes).map(\.0)
        for header in headers where header.name != "etc/one" {
            #expect(header.modificationTime == TarTimestamp(seconds: 1_000_000_000), "\(header.name): \(header.modificationTime)")
        }
        #expect(headers.first { $0.name == "etc/one" }?.modificationTime == TarTimestamp(seconds: 631_152_000))
        let names = headers.map(\.name)
        #expect(names == names.sorted { a, b in
            // Depth-first with sorted children equals sorting by components.
            a.split(separator: "/").lexicographicallyPrecedes(b.split(separator: "/")) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        })
    }

    @Test(.enabled(if: isRoot, "mounting overlayfs needs root"))
    func overlayUpperDiffReproducesTheMergedTree() throws {
        let tmp = try TempDirectory()
        let lower = try tmp.directory("lower")
        let upper = try tmp.directory("upper")
        let work = try tmp.directory("work")
        let merged = try tmp.directory("merged")
        try Self.makeLower(lower)
        try run("/bin/mount", ["-t", "overlay", "overlay", "-o", "lowerdir=\(lower),upperdir=\(upper),workdir=\(work)", merged])
        let mergedSnapshot: [String: TreeEntry]
        do {
            defer { _ = try? run("/bin/umount", [merged]) }
            try Self.mutate(merged)
            // Removing and re-creating a directory makes it opaque in the upper directory.
            try sh("cd '\(merged)' && rm -r keep && mkdir keep && printf fresh > keep/fresh")
            mergedSnapshot = try snapshot(merged)
        }
        try run("/bin/umount", [merged], check: false)

        var sink = MemoryByteSink()
        try LayerDiffer().diffOverlayUpper(upper, to: &sink)
        let names = try readTar(sink.bytes).map(\.0.name)
        #expect(names.contains(".wh.gone"), "\(names)")
        #expect(names.contains("keep/.wh..wh..opq"), "\(names)")

        try sh("cp -a '\(lower)' '\(tmp.path)/target'")
        _ = try LayerApplier(root: tmp.path + "/target").apply(MemoryByteSource(sink.bytes))
        let diff = differences(mergedSnapshot, try snapshot(tmp.path + "/target"))
        #expect(diff.isEmpty, "trees differ:\n\(diff.joined(separator: "\n"))")
    }

    @Test(.enabled(if: isRoot, "mounting overlayfs needs root"))
    func copiedUpButUnchangedDirectoriesAreLeftOutGivenTheLowers() throws {
        let tmp = try TempDirectory()
        let lower = try tmp.directory("lower")
        let upper = try tmp.directory("upper")
        let work = try tmp.directory("work")
        let merged = try tmp.directory("merged")
        try sh("mkdir -p '\(lower)/etc/deep' '\(lower)/dev' && echo x > '\(lower)/etc/deep/file' && touch -d @1000000000 '\(lower)/etc/deep' '\(lower)/etc' '\(lower)/dev'")
        try run("/bin/mount", ["-t", "overlay", "overlay", "-o", "lowerdir=\(lower),upperdir=\(upper),workdir=\(work)", merged])
        do {
            defer { _ = try? run("/bin/umount", [merged]) }
            // What a runtime does for its mount points: make them, then (after the run) remove
            // them and put the parents' times back.
            try sh("cd '\(merged)' && touch etc/hosts && mkdir dev/pts && rm etc/hosts && rmdir dev/pts && touch -d @1000000000 etc dev && echo new > etc/deep/added")
        }
        var withLowers = MemoryByteSink()
        try LayerDiffer().diffOverlayUpper(upper, lowers: [lower], to: &withLowers)
        let names = try readTar(withLowers.bytes).map(\.0.name)
        #expect(names == ["etc", "etc/deep", "etc/deep/added"], "an untouched copied-up directory is left out: \(names)")
        var withoutLowers = MemoryByteSink()
        try LayerDiffer().diffOverlayUpper(upper, to: &withoutLowers)
        let blind = try readTar(withoutLowers.bytes).map(\.0.name)
        #expect(blind.contains("dev"), "without the lowers it cannot know: \(blind)")
    }
}
