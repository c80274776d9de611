import Foundation
import HoistOCI
import Testing

@testable import HoistArchive

/// Archives that try to write outside the root. Each case checks the outcome (an error with
/// the right code, or — where the rule is to resolve inside the root — where the file landed)
/// and that a sentinel directory beside the root stays empty and nothing appears beside it.
@Suite struct HostileArchiveTests {
    final class Fixture {
        let tmp: TempDirectory
        let root: String
        let outside: String

        init() throws {
            tmp = try TempDirectory()
            root = try tmp.directory("root")
            outside = try tmp.directory("outside")
        }

        func apply(_ entries: [(TarHeader, [UInt8])]) throws -> AppliedLayer {
            try LayerApplier(root: root).apply(MemoryByteSource(try makeTar(entries)))
        }

        /// Nothing new beside the root, nothing in the sentinel directory.
        func expectNothingOutside(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try FileSystem.list(outside) == [], "sentinel directory was written", sourceLocation: sourceLocation)
            #expect(try FileSystem.list(tmp.path) == ["outside", "root"], "something appeared beside the root", sourceLocation: sourceLocation)
            #expect(!exists("/tmp/hoist-escape"), "wrote /tmp/hoist-escape", sourceLocation: sourceLocation)
        }
    }

    static let escapingNames = ["../escape", "a/../../escape", "./../escape", "a/b/../../../outside/escape", "..", "../outside/.wh.x"]

    @Test(arguments: escapingNames)
    func dotDotEscapesAreRefusedNamingTheEntry(name: String) throws {
        let fixture = try Fixture()
        let error = #expect(throws: ArchiveError.self) { _ = try fixture.apply([file(name, "pwned")]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == name, "\(String(describing: error))")
        try fixture.expectNothingOutside()
    }

    @Test func dotDotInsideTheRootIsCleanedNotRefused() throws {
        let fixture = try Fixture()
        _ = try fixture.apply([file("a/b/../c", "ok")])
        #expect(try readFile(fixture.root + "/a/c") == Array("ok".utf8))
        try fixture.expectNothingOutside()
    }

    @Test func absoluteNamesAreRelativeToTheRoot() throws {
        let fixture = try Fixture()
        _ = try fixture.apply([file("/etc/escape", "inside"), file("/tmp/hoist-escape", "inside")])
        #expect(try readFile(fixture.root + "/etc/escape") == Array("inside".utf8))
        #expect(try readFile(fixture.root + "/tmp/hoist-escape") == Array("inside".utf8))
        try fixture.expectNothingOutside()
    }

    /// Symlinks are resolved as the container would see them: inside the root.
    @Test(arguments: ["absolute-host-path", "absolute", "dotdot"])
    func writingThroughASymlinkStaysInsideTheRoot(kind: String) throws {
        let fixture = try Fixture()
        let target: String
        let landing: String
        switch kind {
        case "absolute-host-path":
            target = fixture.outside
            landing = fixture.root + fixture.outside + "/pwned"
        case "absolute":
            target = "/tmp/outside"
            landing = fixture.root + "/tmp/outside/pwned"
        default:
            target = "../../outside"
            landing = fixture.root + "/outside/pwned"
        }
        _ = try fixture.apply([symlink("link", to: target), file("link/pwned", "x")])
        #expect(try readFile(landing) == Array("x".utf8))
        #expect(try FileSystem.readLink(fixture.root + "/link") == target)
        try fixture.expectNothingOutside()
    }

    @Test func symlinkPlantedInAnEarlierLayerIsResolvedInsideTheRoot() throws {
        let fixture = try Fixture()
        _ = try fixture.apply([symlink("etc", to: fixture.outside)])
        _ = try fixture.apply([file("etc/passwd", "x")])
        #expect(try readFile(fixture.root + fixture.outside + "/passwd") == Array("x".utf8))
        try fixture.expectNothingOutside()
    }

    @Test func chainedSymlinksAndLoopsStayInside() throws {
        let fixture = try Fixture()
        _ = try fixture.apply([symlink("a", to: "b/.."), symlink("b", to: "/../../c"), file("a/x", "1")])
        // a -> b/.. with b -> /../../c: b is the (missing) /c, so a is the root itself.
        #expect(try readFile(fixture.root + "/x") == Array("1".utf8))
        let loop = #expect(throws: ArchiveError.self) { _ = try fixture.apply([symlink("l1", to: "l2"), symlink("l2", to: "l1"), file("l1/x", "1")]) }
        #expect(loop?.code == .invalidArgument)
        try fixture.expectNothingOutside()
    }

    @Test func aRegularFileReplacesASymlinkInsteadOfWritingThroughIt() throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/../victim-placeholder", [])
        try FileManager.default.removeItem(atPath: fixture.outside + "/../victim-placeholder")
        _ = try fixture.apply([symlink("link", to: fixture.outside + "/victim"), file("link", "replaced")])
        let info = try #require(try FileSystem.info(fixture.root + "/link"))
        #expect(info.kind == .regular)
        #expect(try readFile(fixture.root + "/link") == Array("replaced".utf8))
        try fixture.expectNothingOutside()
    }

    @Test func aDirectoryEntryReplacesASymlinkToADirectory() throws {
        let fixture = try Fixture()
        _ = try fixture.apply([symlink("d", to: fixture.outside), dir("d"), file("d/f", "x")])
        #expect(try FileSystem.info(fixture.root + "/d")?.kind == .directory)
        #expect(try readFile(fixture.root + "/d/f") == Array("x".utf8))
        try fixture.expectNothingOutside()
    }

    @Test(arguments: ["../outside/secret", "../../etc/passwd"])
    func hardLinksEscapingWithDotDotAreRefused(target: String) throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/secret", Array("secret".utf8))
        let error = #expect(throws: ArchiveError.self) { _ = try fixture.apply([hardlink("h", to: target)]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "h")
        #expect(!exists(fixture.root + "/h"))
        try FileManager.default.removeItem(atPath: fixture.outside + "/secret")
        try fixture.expectNothingOutside()
    }

    @Test func hardLinksToAbsoluteHostPathsResolveInsideTheRootAndFailWhenMissing() throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/secret", Array("secret".utf8))
        let error = #expect(throws: ArchiveError.self) { _ = try fixture.apply([hardlink("h", to: fixture.outside + "/secret")]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "h")
        #expect(!exists(fixture.root + "/h"))
        #expect(try FileSystem.info(fixture.outside + "/secret")?.linkCount == 1)
        try FileManager.default.removeItem(atPath: fixture.outside + "/secret")
        try fixture.expectNothingOutside()
    }

    @Test func hardLinkThroughASymlinkedDirectoryIsResolvedInsideTheRoot() throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/secret", Array("secret".utf8))
        let error = #expect(throws: ArchiveError.self) {
            _ = try fixture.apply([symlink("d", to: fixture.outside), hardlink("h", to: "d/secret")])
        }
        #expect(error?.code == .invalidArgument)
        #expect(try FileSystem.info(fixture.outside + "/secret")?.linkCount == 1)
        try FileManager.default.removeItem(atPath: fixture.outside + "/secret")
        try fixture.expectNothingOutside()
    }

    @Test func hardLinkToASymlinkLinksTheSymlinkItself() throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/secret", Array("secret".utf8))
        _ = try fixture.apply([symlink("s", to: fixture.outside + "/secret"), hardlink("h", to: "s")])
        #expect(try FileSystem.info(fixture.root + "/h")?.kind == .symbolicLink)
        #expect(try FileSystem.info(fixture.outside + "/secret")?.linkCount == 1)
        try FileManager.default.removeItem(atPath: fixture.outside + "/secret")
        try fixture.expectNothingOutside()
    }

    @Test func whiteoutThroughASymlinkDeletesOnlyInsideTheRoot() throws {
        let fixture = try Fixture()
        try writeFile(fixture.outside + "/keep", [1])
        _ = try fixture.apply([symlink("d", to: fixture.outside)])
        _ = try fixture.apply([file("d/.wh.keep", ""), file(".wh..wh..opq", "")])
        #expect(try FileSystem.list(fixture.outside) == ["keep"])
        try FileManager.default.removeItem(atPath: fixture.outside + "/keep")
        try fixture.expectNothingOutside()
    }

    @Test(arguments: ["mid-header", "mid-data"])
    func truncatedLayerIsDataLoss(cut: String) throws {
        let fixture = try Fixture()
        let archive = try makeTar([file("a", String(repeating: "x", count: 5000)), file("b", "y")])
        let length = cut == "mid-header" ? 512 + 5120 + 200 : 512 + 1000
        let error = #expect(throws: ArchiveError.self) { _ = try LayerApplier(root: fixture.root).apply(MemoryByteSource(Array(archive[..<length]))) }
        #expect(error?.code == .dataLoss)
        #expect(error?.path == "a", "\(String(describing: error))")
        try fixture.expectNothingOutside()
    }

    @Test func badChecksumIsInvalidArgument() throws {
        let fixture = try Fixture()
        var archive = try makeTar([file("a", "x"), file("b", "y")])
        archive[1024 + 5] ^= 0x20
        let error = #expect(throws: ArchiveError.self) { _ = try LayerApplier(root: fixture.root).apply(MemoryByteSource(archive)) }
        #expect(error?.code == .invalidArgument)
        try fixture.expectNothingOutside()
    }

    @Test func wrongExpectedDiffIDIsDataLoss() throws {
        let fixture = try Fixture()
        let archive = try makeTar([file("a", "x")])
        let wrong = Digest(of: Array("something else".utf8))
        let applier = try LayerApplier(root: fixture.root, options: .init(expectedDiffID: wrong))
        let error = #expect(throws: ArchiveError.self) { _ = try applier.apply(MemoryByteSource(archive)) }
        #expect(error?.code == .dataLoss)
        #expect(error?.description.contains(wrong.description) == true)
        let right = try LayerApplier(root: fixture.root, options: .init(expectedDiffID: Digest(of: archive)))
        #expect(try right.apply(MemoryByteSource(archive)).diffID == Digest(of: archive))
        try fixture.expectNothingOutside()
    }

    @Test func wrongExpectedCompressedDigestIsDataLoss() throws {
        let fixture = try Fixture()
        var source = MemoryByteSource(try makeTar([file("a", "x")]))
        var encoder = try LayerEncoder(MemoryByteSink(), compression: .gzip)
        try source.copy(to: &encoder)
        try encoder.close()
        let blob = encoder.inner.bytes + [0, 0, 0]  // tape padding is part of the blob's digest
        let wrong = try LayerApplier(root: fixture.root, options: .init(expectedDigest: encoder.result.digest))
        let error = #expect(throws: ArchiveError.self) { _ = try wrong.apply(MemoryByteSource(blob)) }
        #expect(error?.code == .dataLoss)
        let right = try LayerApplier(root: fixture.root, options: .init(expectedDigest: Digest(of: blob)))
        #expect(try right.apply(MemoryByteSource(blob)).diffID == encoder.result.diffID)
        try fixture.expectNothingOutside()
    }

    @Test func fuzzedLayersNeverWriteOutside() throws {
        let fixture = try Fixture()
        let base = try makeTar([
            dir("d"), symlink("d/up", to: "../../.."), symlink("abs", to: fixture.outside), file("d/up/x", "1"), file("abs/y", "2"),
            hardlink("d/h", to: "abs/y"), file("d/.wh.up", ""), file("../z", "3"),
        ])
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<300 {
            var bytes = base
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] = UInt8.random(in: 0...255, using: &generator)
            do {
                _ = try LayerApplier(root: fixture.root).apply(MemoryByteSource(bytes))
            } catch is ArchiveError {
            }
            try fixture.expectNothingOutside()
        }
    }
}
