import Foundation
import Testing

@testable import HoistArchive

@Suite struct RootedPathTests {
    @Test(arguments: [
        ("a/b/c", "a/b/c"), ("/a//b/./c/", "a/b/c"), ("a/../b", "b"), (".", ""), ("/", ""), ("", ""),
    ])
    func cleaningIsLexical(input: String, expected: String) throws {
        #expect(try RootedPath.clean(input) == expected)
    }

    @Test(arguments: ["..", "../a", "a/../../b", "/..", "a/\u{0}b"])
    func cleaningRefusesEscapes(input: String) {
        let error = #expect(throws: ArchiveError.self) { try RootedPath.clean(input) }
        #expect(error?.code == .invalidArgument)
    }

    @Test(arguments: [
        ("abs/x", "usr/lib/x"), ("rel/x", "usr/lib/x"), ("up/x", "x"), ("dotdot/../y", "y"),
        ("missing/../rel/z", "usr/lib/z"), ("../../usr", "usr"), ("chain", "usr/lib"), ("/abs", "usr/lib"),
    ])
    func symlinksResolveInsideTheRoot(input: String, expected: String) throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        try sh("""
            cd '\(root)' && mkdir -p usr/lib && ln -s /usr/lib abs && ln -s usr/lib rel && ln -s ../../../.. up \
            && ln -s rel chain && ln -s usr dotdot
            """)
        let rooted = try RootedPath(root: root)
        #expect(try rooted.resolve(input) == rooted.hostPath(expected.isEmpty ? [] : expected.split(separator: "/").map(String.init)))
    }

    @Test func theFinalSymlinkIsKeptWhenAsked() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        try sh("cd '\(root)' && mkdir d && ln -s /etc d/l")
        let rooted = try RootedPath(root: root)
        #expect(try rooted.resolve("d/l", followFinalSymlink: false) == rooted.root + "/d/l")
        #expect(try rooted.resolve("d/l") == rooted.root + "/etc")
    }

    @Test func rootMustBeADirectory() throws {
        let tmp = try TempDirectory()
        try writeFile(tmp.path + "/file", [])
        #expect(throws: ArchiveError.self) { try RootedPath(root: tmp.path + "/file") }
        let missing = #expect(throws: ArchiveError.self) { try RootedPath(root: tmp.path + "/missing") }
        #expect(missing?.code == .notFound)
    }
}
