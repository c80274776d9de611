import Foundation
import HoistOCI
import Testing

@testable import HoistArchive

/// Archives exchanged with GNU tar (`/usr/bin/tar`) in both directions.
@Suite struct TarInteropTests {
    static let longDirectory = String(repeating: "long-directory-name/", count: 8)
    static let longFile = String(repeating: "f", count: 140)

    /// A tree with long names, a long symlink target, a hard link and sub-second times.
    static func makeTree(in root: String) throws {
        try sh("""
            set -e; cd '\(root)'
            mkdir -p '\(longDirectory)' plain
            printf 'long' > '\(longDirectory)\(longFile)'
            printf 'hello' > plain/a.txt
            chmod 0640 plain/a.txt
            ln plain/a.txt plain/hard
            ln -s '\(longDirectory)\(longFile)' plain/longlink
            mkfifo plain/fifo
            touch -d '2021-03-04 05:06:07.123456789' plain/a.txt
            """)
    }

    @Test(arguments: ["pax", "gnu"])
    func gnuTarArchiveIsReadCorrectly(format: String) throws {
        let tmp = try TempDirectory()
        let tree = try tmp.directory("tree")
        try Self.makeTree(in: tree)
        let archive = tmp.path + "/out.tar"
        try run("/usr/bin/tar", ["--format=\(format)", "--sort=name", "-C", tree, "-cf", archive, "."])
        let entries = try readTar(try readFile(archive))
        let byName = Dictionary(entries.map { ($0.0.name, $0) }, uniquingKeysWith: { a, _ in a })

        let longPath = "./\(Self.longDirectory)\(Self.longFile)"
        #expect(byName[longPath]?.1 == Array("long".utf8), "names read: \(byName.keys.sorted())")
        #expect(byName["./plain/longlink"]?.0.type == .symbolicLink)
        #expect(byName["./plain/longlink"]?.0.linkName == "\(Self.longDirectory)\(Self.longFile)")
        let a = try #require(byName["./plain/a.txt"]?.0)
        let hard = try #require(byName["./plain/hard"]?.0)
        // tar stores the first name it meets as the file and the other as a link to it.
        #expect(Set([a.type, hard.type]) == [.regular, .hardLink])
        let regular = a.type == .regular ? a : hard
        #expect(regular.mode == 0o640)
        #expect(regular.modificationTime.seconds == Int64(1_614_834_367))
        if format == "pax" { #expect(regular.modificationTime.nanoseconds == 123_456_789) }
        #expect(byName["./plain/fifo"]?.0.type == .fifo)
        #expect(byName["./plain"]?.0.type == .directory)
    }

    @Test func hoistArchiveIsListedAndExtractedByGnuTarIdentically() throws {
        let tmp = try TempDirectory()
        let names = [
            "short.txt", "\(Self.longDirectory)\(Self.longFile)", "dir/ünïcödé", String(repeating: "x", count: 99) + "/" + String(repeating: "y", count: 99),
        ]
        var entries: [(TarHeader, [UInt8])] = [dir("dir", mode: 0o750)]
        for (index, name) in names.enumerated() {
            entries.append((TarHeader(name: name, mode: 0o600, uid: 4_000_000, gid: 5, size: Int64(index + 1), modificationTime: .init(seconds: 1_650_000_000, nanoseconds: 250_000_000), xattrs: ["user.index": Array(String(index).utf8)]), randomBytes(index + 1, seed: UInt64(index))))
        }
        entries.append(symlink("dir/link", to: String(repeating: "z", count: 180)))
        entries.append(hardlink("dir/hard", to: names[1]))
        let archive = tmp.path + "/hoist.tar"
        try writeFile(archive, try makeTar(entries))

        let listing = try run("/usr/bin/tar", ["--numeric-owner", "-tvf", archive]).text
        for name in names + ["dir/link -> " + String(repeating: "z", count: 180), "dir/hard link to \(names[1])"] {
            #expect(listing.contains(name), "tar -tv does not show \(name):\n\(listing)")
        }
        #expect(listing.contains("4000000/5"), "\(listing)")

        let out = try tmp.directory("out")
        try run("/usr/bin/tar", ["--xattrs", "--xattrs-include=*", "-xf", archive, "-C", out])
        for (index, name) in names.enumerated() {
            #expect(try readFile(out + "/" + name) == randomBytes(index + 1, seed: UInt64(index)), "\(name)")
            let info = try #require(try FileSystem.info(out + "/" + name))
            #expect(info.permissions == 0o600)
            #expect(info.modificationTime == TarTimestamp(seconds: 1_650_000_000, nanoseconds: 250_000_000))
            #expect(try FileSystem.xattrs(out + "/" + name)["user.index"] == Array(String(index).utf8))
        }
        #expect(try FileSystem.readLink(out + "/dir/link") == String(repeating: "z", count: 180))
        let hard = try #require(try FileSystem.info(out + "/dir/hard"))
        let target = try #require(try FileSystem.info(out + "/" + names[1]))
        #expect(hard.inode == target.inode)
        #expect(try FileSystem.info(out + "/dir")?.permissions == 0o750)
    }
}
