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

    private func copy(_ sources: [String], to target: String, owner: (UInt32, UInt32)? = nil, mode: ModeChange? = nil,
                      excluded: @escaping (String) -> Bool = { _ in false }, underSource: @escaping (String) -> Bool = { _ in false },
                      parents: Bool = false) throws {
        var semantics = CopySemantics(
            sourceRoot: try RootedPath(root: source.path), destination: DirectoryDestination(root: try RootedPath(root: destination.path)),
            isExcluded: excluded, owner: owner.map { (uid: $0.0, gid: $0.1) }, mode: mode)
        semantics.isExcludedUnderSource = underSource
        // Docker's matcher, reduced to what these tests use: a literal path matches itself and what is below it.
        semantics.includeMatcher = { patterns in { path in patterns.contains { path == $0 || path.hasPrefix($0 + "/") } } }
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

    @Test func missingSourceIsNotFoundButAnEmptyWildcardCopiesNothing() throws {
        let error = #expect(throws: BuildError.self) { try copy(["missing.txt"], to: "/x") }
        #expect(error?.code == .notFound)
        // BuildKit allows empty wildcards: the rest of the sources are copied, and nothing is made for none.
        try copy(["a.txt", "*.none"], to: "/some/")
        try copy(["*.none"], to: "/none/")
        #expect(try tree() == ["existing d", "some d", "some/a.txt f"])
    }

    @Test func wildcardsMatchLeadingDots() throws {
        try write(".hidden", "h")
        try write("dir/.dot", "d")
        try copy(["?hidden"], to: "/q/")
        try copy(["*"], to: "/all/")
        try copy(["dir/.*"], to: "/dots/")
        #expect(try contents("q/.hidden") == "h")
        #expect(try contents("all/.hidden") == "h")
        #expect(try contents("dots/.dot") == "d")
    }

    @Test func hardLinksWithinASourceStayLinks() throws {
        try FileManager.default.linkItem(atPath: source.appendingPathComponent("dir/one").path,
                                         toPath: source.appendingPathComponent("dir/sub/one-again").path)
        try copy(["dir"], to: "/linked")
        let entries = try FileTree(root: destination.path).entries
        #expect(entries["linked/one"]?.hardLinkGroup == "linked/one")
        #expect(entries["linked/sub/one-again"]?.hardLinkGroup == "linked/one")
        // Separate sources are separate copies, as in BuildKit.
        try copy(["dir/one", "dir/sub/one-again"], to: "/apart/")
        #expect(try FileTree(root: destination.path).entries["apart/one"]?.hardLinkGroup == nil)
        // So are the matches of one wildcard: BuildKit copies each on its own.
        try FileManager.default.linkItem(atPath: source.appendingPathComponent("dir/one").path,
                                         toPath: source.appendingPathComponent("dir/one-too").path)
        try copy(["dir/one*"], to: "/matched/")
        #expect(try FileTree(root: destination.path).entries["matched/one"]?.hardLinkGroup == nil)
    }

    @Test func extendedAttributesAreKept() throws {
        let file = source.appendingPathComponent("a.txt").path
        try #require(ExtendedAttributes.set(file, "user.note", Array("kept".utf8)) == 0)
        try copy(["a.txt"], to: "/with-attributes")
        #expect(try ExtendedAttributes.read(destination.appendingPathComponent("with-attributes").path)["user.note"] == Array("kept".utf8))
    }

    @Test func anExcludedDirectoryHoldingKeptFilesIsThereWithOnlyThem() throws {
        // `.dockerignore` of `**` and `!dir/sub/two`: dir and dir/sub are there as parents of two.
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: source.appendingPathComponent("dir").path)
        let excluded: (String) -> Bool = { $0 != "dir/sub/two" }
        try copy(["dir"], to: "/named", excluded: excluded)
        try copy(["*"], to: "/matched/", excluded: excluded)
        try copy(["."], to: "/all/", excluded: excluded)
        let entries = try FileTree(root: destination.path).entries
        #expect(try tree() == [
            "all d", "all/dir d", "all/dir/sub d", "all/dir/sub/two f", "existing d", "matched d", "matched/sub d",
            "matched/sub/two f", "named d", "named/sub d", "named/sub/two f",
        ])
        #expect(entries["all/dir"]?.mode == 0o750, "a parent is copied with its own mode")
        #expect(throws: BuildError.self) { try copy(["other"], to: "/gone", excluded: excluded) }
    }

    @Test func modeOwnerAndSymlinks() throws {
        try copy(["a.txt", "link"], to: "/d/", owner: (1000, 1001))
        let file = try #require(try FileTree(root: destination.path).entries["d/a.txt"])
        #expect(file.mode == 0o750)
        #expect(file.uid == 1000 && file.gid == 1001)
        // A source named directly is followed: the link's target is copied.
        #expect(try FileTree(root: destination.path).entries["d/link"]?.type == "f")
        try copy(["dir"], to: "/m", mode: try ModeChange(parsing: "600"))
        #expect(try FileTree(root: destination.path).entries["m/one"]?.mode == 0o600)
    }

    @Test func excludedPathsAreLeftOut() throws {
        try copy(["."], to: "/all", excluded: { $0.hasSuffix(".log") || $0 == "b.txt" })
        let paths = try tree()
        #expect(paths.contains("all/a.txt f"))
        #expect(!paths.contains("all/b.txt f"))
        #expect(!paths.contains("all/other/skip.log f"))
    }

    @Test func parentsAreKeptUpToThePivot() throws {
        try copy(["dir/sub/two"], to: "/p/", parents: true)
        #expect(try contents("p/dir/sub/two") == "2")
        try copy(["./dir/./sub/two", "dir"], to: "/pivot/", parents: true)
        #expect(try contents("pivot/sub/two") == "2")
        #expect(try contents("pivot/dir/one") == "1")
        #expect(CopySemantics.splitParents("./x/./y/b.txt") == ("./x", "y/b.txt"))
        #expect(CopySemantics.splitParents("./x/./") == ("./x", nil))
        #expect(CopySemantics.splitParents("x/") == ("/", "x"))
        #expect(CopySemantics.pathRead(byParentsSource: "a/./b/**/c") == "a/b")
        // Relative paths of one component (what NSString's path methods trap on).
        #expect(CopySemantics.parent(of: "x") == "" && CopySemantics.parent(of: "x/") == "" && CopySemantics.parent(of: "/a/b") == "/a")
        #expect(CopySemantics.lastComponent(of: "x/") == "x" && CopySemantics.lastComponent(of: "/") == "")
    }

    @Test func excludesAreRelativeToEachSource() throws {
        try copy(["dir"], to: "/e1", underSource: { $0 == "one" })
        try copy(["dir"], to: "/e2", underSource: { $0 == "dir/one" })
        try copy(["dir/one"], to: "/e3", underSource: { _ in true })
        let paths = try tree()
        #expect(!paths.contains("e1/one f") && paths.contains("e1/sub/two f"))
        #expect(paths.contains("e2/one f"))
        #expect(paths.contains("e3 f"), "the source itself is never excluded")
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
