import Foundation
import HoistArchive
import HoistStore
import HoistTestSupport
import Testing

@testable import HoistBuild

/// A file op written as a tar for a daemon (the docker worker's `COPY`/`WORKDIR`): the copy
/// rules and owners the native worker applies, carried in the headers, by a user who cannot
/// give files owners.
@Suite("File ops as archives")
struct ArchiveDestinationTests {
    let directory: TemporaryDirectory
    let context: URL

    init() throws {
        directory = try TemporaryDirectory()
        context = directory.appending("context")
        try FileManager.default.createDirectory(at: context.appendingPathComponent("dir/sub"), withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: context.appendingPathComponent("dir/one"))
        try Data("two\n".utf8).write(to: context.appendingPathComponent("dir/sub/two"))
        try Data("root:x:0:0::/root:/bin/sh\napp:x:1234:4321::/home/app:/bin/sh\n".utf8)
            .write(to: context.appendingPathComponent("passwd"))
    }

    /// The archive `op` makes on scratch from the context, as name → header.
    private func entries(_ op: FileOp) throws -> [String: TarHeader] {
        let archive = directory.appending("op-\(UUID().uuidString).tar").path
        let store = try Store(root: StoreRoot(directory.appending("store")))
        try op.writeArchive(
            to: archive, base: [], store: store, inputs: [.scratch, .directory(path: context.path, exclude: [])], fetched: [:],
            pathFilter: PathFilter { patterns in { path in patterns.contains(path) } })
        var reader = TarReader(try FileByteSource(path: archive))
        var found: [String: TarHeader] = [:]
        while let header = try reader.next() { found[header.name] = header }
        return found
    }

    @Test func aCopyCarriesItsOwnerAndModeAndMakesItsParentsOnce() throws {
        let op = FileOp(actions: [
            .copy(CopyAction(sourceInput: 1, sources: ["passwd"], destination: "/etc/passwd")),
            .copy(CopyAction(sourceInput: 1, sources: ["dir"], destination: "/srv/app/", owner: FileOwner(user: "app"), mode: "640")),
        ])
        let found = try entries(op)
        #expect(Set(found.keys) == ["etc", "etc/passwd", "srv", "srv/app", "srv/app/one", "srv/app/sub", "srv/app/sub/two"],
                "\(found.keys.sorted())")
        // Context files are root's; `--chown` names a user of the destination's /etc/passwd,
        // which the first action wrote; parents a copy makes are its owner's too.
        #expect(found["etc/passwd"]?.uid == 0 && found["etc/passwd"]?.gid == 0)
        let two = try #require(found["srv/app/sub/two"])
        #expect(two.uid == 1234 && two.gid == 4321 && two.mode == 0o640, "\(two)")
        #expect(found["srv"]?.uid == 1234 && found["srv"]?.type == .directory)
        #expect(found["srv/app/sub"]?.mode == 0o640)
    }

    @Test func aWorkdirMakesEachMissingDirectoryForItsUser() throws {
        let found = try entries(FileOp(actions: [.mkdir(path: "/a/b", mode: 0o755, makeParents: true, owner: FileOwner(user: "7", group: "8"))]))
        for name in ["a", "a/b"] {
            let made = try #require(found[name])
            #expect(made.uid == 7 && made.gid == 8 && made.mode == 0o755 && made.type == .directory, "\(made)")
        }
    }

    @Test func aRemovalIsRefusedWithAReason() throws {
        let op = FileOp(actions: [.mkfile(path: "/f", contents: [], mode: 0o644, owner: nil), .remove(path: "/f", allowNotFound: false)])
        #expect(throws: BuildError.self) { try entries(op) }
    }
}
