import Foundation
import HoistArchive
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

@testable import HoistBuild

/// The context checksum is part of every cache key of a step that reads the context: a change
/// in how it is computed must not change its value.
@Suite struct ContextChecksumTests {
    let directory: TemporaryDirectory
    let store: Store
    let context: String

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(root: StoreRoot(directory.appending("store")))
        context = directory.appending("context").path
        var files = ["a.txt": "a", "dir/b.txt": "b", "dir/deeper/c.txt": "c", "skip/keep.txt": "kept", "skip/x.txt": "x",
                     "skip/inner/y.txt": "y", "other.txt": "other"]
        // Enough entries in `dir` for the walk to spread them over threads.
        for index in 0..<12 { files["dir/many/sub\(index)/f\(index).txt"] = "\(index)" }
        for index in 0..<10 { files["dir/f\(index).txt"] = "f\(index)" }
        for (path, text) in files {
            let url = URL(fileURLWithPath: context + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createSymbolicLink(atPath: context + "/dir/link", withDestinationPath: "../a.txt")
        try FileManager.default.createSymbolicLink(atPath: context + "/linked-dir", withDestinationPath: "dir")
        _ = chmod(context + "/dir/deeper/c.txt", 0o600)
    }

    /// `skip` and everything in it is excluded but `skip/keep.txt`.
    static func isExcluded(_ path: String) -> Bool {
        (path == "skip" || path.hasPrefix("skip/")) && path != "skip/keep.txt"
    }

    /// The checksum as it was first written: every entry resolved from the root by path.
    func reference(_ patterns: [String]) throws -> Digest {
        let root = try RootedPath(root: context)
        let semantics = CopySemantics(sourceRoot: root, destination: DirectoryDestination(root: root), isExcluded: Self.isExcluded, owner: nil, mode: nil)
        var hasher = DigestHasher()
        func add(_ relative: String, followLink: Bool) throws {
            let host = try root.resolve(relative, followFinalSymlink: followLink)
            var info = stat()
            guard (followLink ? stat(host, &info) : lstat(host, &info)) == 0 else {
                hasher.update(Data("missing \(relative)\n".utf8))
                return
            }
            let permissions = String(UInt32(info.st_mode) & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                hasher.update(Data("dir \(relative) \(permissions)\n".utf8))
                for name in try FileManager.default.contentsOfDirectory(atPath: host).sorted() {
                    let child = relative.isEmpty || relative == "." ? name : relative + "/" + name
                    var childInfo = stat()
                    if Self.isExcluded(child), !(lstat(host + "/" + name, &childInfo) == 0 && childInfo.st_mode & S_IFMT == S_IFDIR) {
                        continue
                    }
                    try add(child, followLink: false)
                }
            case S_IFLNK:
                hasher.update(Data("link \(relative) -> \(try FileManager.default.destinationOfSymbolicLink(atPath: host))\n".utf8))
            case S_IFREG:
                hasher.update(Data("file \(relative) \(permissions) \(Digest(of: try Data(contentsOf: URL(fileURLWithPath: host))))\n".utf8))
            default:
                hasher.update(Data("special \(relative) \(permissions)\n".utf8))
            }
        }
        for pattern in patterns {
            hasher.update(Data("pattern \(pattern)\n".utf8))
            for match in try semantics.expand(pattern) { try add(match, followLink: true) }
        }
        return hasher.finalize()
    }

    @Test(arguments: [["."], ["dir"], ["linked-dir"], ["skip"], ["*.txt", "dir/deeper"]])
    func checksumIsTheReferenceOne(patterns: [String]) throws {
        let checksum = ContextChecksum(store: store, root: try RootedPath(root: context), isExcluded: Self.isExcluded)
        let expected = try reference(patterns)
        #expect(try checksum.digest(of: patterns) == expected, "\(patterns)")
        // Again, from the stat cache this time.
        #expect(try checksum.digest(of: patterns) == expected, "\(patterns), cached")
    }
}
