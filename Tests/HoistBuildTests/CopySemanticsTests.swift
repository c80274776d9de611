import Foundation
import HoistArchive
import HoistTestSupport
import Testing

@testable import HoistBuild

/// COPY's source and destination rules on real directories.
@Suite("COPY semantics")
struct CopySemanticsTests {
    let directory: TemporaryDirectory
    let source: URL
    let destination: URL

    init() throws {
        directory = try TemporaryDirectory()
        source = directory.appending("context")
        destination = directory.appending("rootfs")
        for path in ["dir/sub", "other", "rootfs/existing"] {
            try FileManager.default.createDirectory(at: directory.appending(path.hasPrefix("rootfs") ? path : "context/" + path),
                                                    withIntermediateDirectories: true)
        }
        try write("a.txt", "a")
        try write("b.txt", "b")
        try write("dir/one", "1")
        try write("dir/sub/two", "2")
        try write("other/skip.log", "log")
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("link").path, withDestinationPath: "a.txt")
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: source.appendingPathComponent("a.txt").path)
    }

    private func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: source.appendingPathComponent(path))
    }

    private func copy(_ sources: [String], to target: String, owner: (UInt32, UInt32)? = nil, mode: UInt32? = nil,
                      excluded: @escaping (String) -> Bool = { _ in false }, parents: Bool = false) throws {
        let semantics = CopySemantics(
            sourceRoot: try RootedPath(root: source.path), destinationRoot: try RootedPath(root: destination.path),
            isExcluded: excluded, owner: owner.map { (uid: $0.0, gid: $0.1) }, mode: mode)
        try semantics.copy(sources: sources, to: target, keepParents: parents)
    }

    private func tree() throws -> [String] {
        try FileTree(root: destination.path).entries.map { "\($0.key) \($0.value.type)" }.sorted()
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOf: destination.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func fileToNewPathAndIntoDirectory() throws {
        try copy(["a.txt"], to: "/renamed")
        try copy(["a.txt"], to: "/into/")
        #expect(try contents("renamed") == "a")
        #expect(try contents("into/a.txt") == "a")
        try copy(["b.txt"], to: "/existing")
        #expect(try contents("existing/b.txt") == "b", "an existing directory is a directory without the slash")
    }

    @Test func directorySourceCopiesItsContents() throws {
        try copy(["dir"], to: "/app")
        #expect(try tree() == ["app d", "app/one f", "app/sub d", "app/sub/two f", "existing d"])
    }

    @Test func wildcardsAndSeveralSourcesNeedADirectory() throws {
        try copy(["*.txt"], to: "/texts/")
        #expect(try contents("texts/a.txt") == "a")
        #expect(try contents("texts/b.txt") == "b")
        let error = #expect(throws: BuildError.self) { try copy(["a.txt", "b.txt"], to: "/file") }
        #expect(error?.code == .invalidArgument)
    }

    @Test func missingSourceIsNotFound() throws {
        let error = #expect(throws: BuildError.self) { try copy(["missing.txt"], to: "/x") }
        #expect(error?.code == .notFound)
        let wildcard = #expect(throws: BuildError.self) { try copy(["*.none"], to: "/x/") }
        #expect(wildcard?.code == .notFound)
    }

    @Test func modeOwnerAndSymlinks() throws {
        try copy(["a.txt", "link"], to: "/d/", owner: (1000, 1001))
        let file = try #require(try FileTree(root: destination.path).entries["d/a.txt"])
        #expect(file.mode == 0o750)
        #expect(file.uid == 1000 && file.gid == 1001)
        // A source named directly is followed: the link's target is copied.
        #expect(try FileTree(root: destination.path).entries["d/link"]?.type == "f")
        try copy(["dir"], to: "/m", mode: 0o600)
        #expect(try FileTree(root: destination.path).entries["m/one"]?.mode == 0o600)
    }

    @Test func excludedPathsAreLeftOut() throws {
        try copy(["."], to: "/all", excluded: { $0.hasSuffix(".log") || $0 == "b.txt" })
        let paths = try tree()
        #expect(paths.contains("all/a.txt f"))
        #expect(!paths.contains("all/b.txt f"))
        #expect(!paths.contains("all/other/skip.log f"))
    }

    @Test func parentsAreKept() throws {
        try copy(["dir/sub/two"], to: "/p/", parents: true)
        #expect(try contents("p/dir/sub/two") == "2")
    }

    @Test func sourcesCannotEscapeTheContext() throws {
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("escape").path,
                                                   withDestinationPath: "/etc")
        #expect(throws: (any Error).self) { try copy(["../../etc/passwd"], to: "/x") }
        // A link to /etc resolves inside the context, where there is no etc.
        #expect(throws: BuildError.self) { try copy(["escape/passwd"], to: "/x") }
        #expect(!FileManager.default.fileExists(atPath: destination.appendingPathComponent("x").path))
    }
}
