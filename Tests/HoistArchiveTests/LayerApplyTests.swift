import Foundation
import HoistOCI
import Testing

@testable import HoistArchive

@Suite struct LayerApplyTests {
    static let lowerLayer: [(TarHeader, [UInt8])] = [
        dir("etc"), file("etc/a", "a"), file("etc/b", "b"), dir("etc/sub"), file("etc/sub/c", "c"),
        dir("opaque"), file("opaque/old1", "1"), dir("opaque/olddir"), file("opaque/olddir/old2", "2"),
        dir("opaque/kept"), file("opaque/kept/old3", "3"), dir("gone"), file("gone/f", "f"),
    ]

    @Test(arguments: ["marker first", "marker last"])
    func whiteoutsAndOpaqueDirectoriesGiveTheExpectedTree(order: String) throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let applier = try LayerApplier(root: root)
        _ = try applier.apply(MemoryByteSource(try makeTar(Self.lowerLayer)))

        var opaqueEntries = [dir("opaque"), file("opaque/new", "n"), dir("opaque/kept"), file("opaque/kept/new3", "n3")]
        let marker = file("opaque/.wh..wh..opq", "")
        if order == "marker first" { opaqueEntries.insert(marker, at: 1) } else { opaqueEntries.append(marker) }
        let upper = [file("etc/.wh.a", ""), file(".wh.gone", ""), file("etc/new", "new"), file("etc/.wh.new", "")] + opaqueEntries
        let result = try applier.apply(MemoryByteSource(try makeTar(upper)))
        #expect(result.entryCount == upper.count)

        let paths = try snapshot(root).keys.sorted()
        let expected = ["etc", "etc/b", "etc/new", "etc/sub", "etc/sub/c", "opaque", "opaque/kept", "opaque/kept/new3", "opaque/new"]
        #expect(paths == expected, "differs: \(differencesOf(expected, paths))")
    }

    func differencesOf(_ a: [String], _ b: [String]) -> String {
        "missing \(Set(a).subtracting(b).sorted()), unexpected \(Set(b).subtracting(a).sorted())"
    }

    @Test func whiteoutOfAMissingPathIsHarmlessAndCreatesNothing() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        _ = try LayerApplier(root: root).apply(MemoryByteSource(try makeTar([file("no/such/.wh.thing", ""), file(".wh.nothing", "")])))
        #expect(try FileSystem.list(root) == [])
    }

    @Test func metadataIsApplied() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let time = TarTimestamp(seconds: 1_500_000_000, nanoseconds: 987_654_321)
        var entries: [(TarHeader, [UInt8])] = [
            (TarHeader(name: "ro", type: .directory, mode: 0o555, uid: 1000, gid: 1001, modificationTime: time), []),
            (TarHeader(name: "ro/inner", type: .directory, mode: 0o500, modificationTime: time), []),
            (TarHeader(name: "ro/inner/file", mode: 0o444, uid: 1000, gid: 1001, size: 4, modificationTime: time, xattrs: ["user.hoist": Array("yes".utf8)]), Array("data".utf8)),
            (TarHeader(name: "suid", mode: 0o4755, uid: 0, gid: 0, size: 1, modificationTime: time), [1]),
            (TarHeader(name: "sgid", mode: 0o2711, uid: 1000, gid: 50, size: 1, modificationTime: time), [1]),
            (TarHeader(name: "sticky", type: .directory, mode: 0o1777, modificationTime: time), []),
            (TarHeader(name: "link", type: .symbolicLink, mode: 0o777, uid: 1000, gid: 1000, modificationTime: time, linkName: "ro/inner/file"), []),
            (TarHeader(name: "hard", type: .hardLink, linkName: "ro/inner/file"), []),
            (TarHeader(name: "fifo", type: .fifo, mode: 0o640, modificationTime: time), []),
        ]
        if isRoot { entries.append((TarHeader(name: "null", type: .characterDevice, mode: 0o666, modificationTime: time, deviceMajor: 1, deviceMinor: 3), [])) }
        let archive = try makeTar(entries)
        let result = try LayerApplier(root: root).apply(MemoryByteSource(archive))
        #expect(result.diffID == Digest(of: archive))
        #expect(result.size == Int64(archive.count))
        #expect(result.compression == .none)

        func info(_ path: String) throws -> FileInfo { try #require(try FileSystem.info(root + "/" + path)) }
        #expect(try info("ro").permissions == 0o555)
        #expect(try info("ro/inner").permissions == 0o500)
        #expect(try info("ro/inner/file").permissions == 0o444)
        #expect(try readFile(root + "/ro/inner/file") == Array("data".utf8))
        #expect(try info("suid").permissions == 0o4755)
        #expect(try info("sgid").permissions == 0o2711)
        #expect(try info("sticky").permissions == 0o1777)
        for path in ["ro", "ro/inner", "ro/inner/file", "suid", "sticky", "link", "fifo"] {
            #expect(try info(path).modificationTime == time, "mtime of \(path)")
        }
        #expect(try FileSystem.readLink(root + "/link") == "ro/inner/file")
        #expect(try info("hard").inode == info("ro/inner/file").inode)
        #expect(try info("fifo").kind == .fifo && info("fifo").permissions == 0o640)
        #expect(try FileSystem.xattrs(root + "/ro/inner/file")["user.hoist"] == Array("yes".utf8))
        if isRoot {
            #expect(try info("ro").uid == 1000 && info("ro").gid == 1001)
            #expect(try info("sgid").gid == 50)
            #expect(try info("link").uid == 1000)
            #expect(try info("null").kind == .characterDevice)
            #expect(try info("null").deviceMajor == 1 && info("null").deviceMinor == 3)
        }
    }

    @Test func devicesAreSkippedWithAWarningWhenAsked() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let applier = try LayerApplier(root: root, options: .init(preserveOwnership: false, createDevices: false))
        let result = try applier.apply(MemoryByteSource(try makeTar([(TarHeader(name: "dev/sda", type: .blockDevice, deviceMajor: 8), [])])))
        #expect(!exists(root + "/dev/sda"))
        #expect(result.warnings.count == 1 && result.warnings[0].contains("dev/sda"), "\(result.warnings)")
    }

    @Test func xattrsTheFileSystemRefusesAreReportedNotFatal() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let header = TarHeader(name: "f", size: 1, xattrs: ["security.hoist-bogus": [1], "bogusnamespace.x": [2]])
        let result = try LayerApplier(root: root).apply(MemoryByteSource(try makeTar([(header, [7])])))
        #expect(try readFile(root + "/f") == [7])
        // Whether a security.* name is accepted depends on the file system; the unknown namespace never is.
        #expect(result.warnings.contains { $0.contains("bogusnamespace.x") && $0.contains("f") }, "\(result.warnings)")
    }

    @Test func entriesReplaceWhatIsThere() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let applier = try LayerApplier(root: root)
        _ = try applier.apply(MemoryByteSource(try makeTar([dir("d"), file("d/x", "x"), file("f", "f"), symlink("s", to: "d")])))
        _ = try applier.apply(MemoryByteSource(try makeTar([file("d", "now a file"), dir("f"), file("f/y", "y"), file("s", "file")])))
        #expect(try FileSystem.info(root + "/d")?.kind == .regular)
        #expect(try readFile(root + "/f/y") == Array("y".utf8))
        #expect(try FileSystem.info(root + "/s")?.kind == .regular)
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func compressedLayersAreDetectedAndTheirDiffIDIsTheTarDigest(compression: Compression) throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let tar = try makeTar(Self.lowerLayer)
        var source = MemoryByteSource(tar)
        var encoder = try LayerEncoder(MemoryByteSink(), compression: compression)
        try source.copy(to: &encoder)
        try encoder.close()
        let result = try LayerApplier(root: root).apply(MemoryByteSource(encoder.inner.bytes))
        #expect(result.diffID == Digest(of: tar))
        #expect(result.diffID == encoder.result.diffID)
        #expect(result.compression.rawValue == (compression == .gzip ? "gzip" : "zstd"))
        #expect(try readFile(root + "/opaque/kept/old3") == Array("3".utf8))
    }

    @Test(.enabled(if: isRoot, "trusted.* xattrs and device 0:0 need root"))
    func overlayWhiteoutStyleRecordsDeletionsForOverlayfs() throws {
        let tmp = try TempDirectory()
        let upper = try tmp.directory("upper")
        let applier = try LayerApplier(root: upper, options: .init(whiteoutStyle: .overlay))
        _ = try applier.apply(MemoryByteSource(try makeTar([file("etc/.wh.passwd", ""), dir("var"), file("var/.wh..wh..opq", ""), file("var/new", "n")])))
        let whiteout = try #require(try FileSystem.info(upper + "/etc/passwd"))
        #expect(whiteout.kind == .characterDevice && whiteout.deviceMajor == 0 && whiteout.deviceMinor == 0)
        #expect(try FileSystem.xattrs(upper + "/var")["trusted.overlay.opaque"] == Array("y".utf8))
        #expect(try readFile(upper + "/var/new") == Array("n".utf8))
    }
}

@Suite struct LayerApplyOptionTests {
    @Test(.enabled(if: isRoot, "only root can chown, so only root can show it was skipped"))
    func ownershipIsLeftAloneWhenNotPreserved() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let applier = try LayerApplier(root: root, options: .init(preserveOwnership: false))
        _ = try applier.apply(MemoryByteSource(try makeTar([(TarHeader(name: "f", uid: 1000, gid: 1000, size: 1), [1])])))
        #expect(try FileSystem.info(root + "/f")?.uid == 0)
    }

    @Test func aHardLinkReplacesAnEarlierEntryAndSameLayerWhiteoutsSpareNewFiles() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let applier = try LayerApplier(root: root)
        _ = try applier.apply(MemoryByteSource(try makeTar([file("target", "t"), file("name", "old"), file("lower", "l")])))
        _ = try applier.apply(MemoryByteSource(try makeTar([hardlink("name", to: "target"), file("lower", "new"), file(".wh.lower", "")])))
        #expect(try readFile(root + "/name") == Array("t".utf8))
        #expect(try FileSystem.info(root + "/name")?.inode == FileSystem.info(root + "/target")?.inode)
        #expect(try readFile(root + "/lower") == Array("new".utf8))
    }

    @Test func directoriesListedAfterTheirContentsGetTheirMetadata() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let time = TarTimestamp(seconds: 1_234_567_890)
        _ = try LayerApplier(root: root).apply(MemoryByteSource(try makeTar([
            file("late/inner/f", "x"), (TarHeader(name: "late/inner", type: .directory, mode: 0o700, modificationTime: time), []),
            (TarHeader(name: "late", type: .directory, mode: 0o511, modificationTime: time), []),
        ])))
        #expect(try FileSystem.info(root + "/late")?.permissions == 0o511)
        #expect(try FileSystem.info(root + "/late")?.modificationTime == time)
        #expect(try FileSystem.info(root + "/late/inner")?.modificationTime == time)
        #expect(try readFile(root + "/late/inner/f") == Array("x".utf8))
    }
}
