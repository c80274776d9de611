#if canImport(Glibc)
    import Glibc
#endif
public import Foundation

/// A directory tree captured for comparison: every path below the root with its type, mode,
/// owner, size, a hash of its contents, its link target, and which files are hard links of
/// one another.
public struct FileTree: Equatable, CustomStringConvertible {
    public struct Entry: Equatable, CustomStringConvertible {
        public var type: Character
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var size: Int64
        public var contentHash: Int
        public var linkTarget: String?
        /// For a file with other names in the tree: the first of them all, in sorted order.
        public var hardLinkGroup: String?

        public var description: String {
            "\(type) \(String(mode, radix: 8)) \(uid):\(gid) \(size) \(linkTarget.map { "-> \($0)" } ?? String(contentHash, radix: 16))"
                + (hardLinkGroup.map { " =\($0)" } ?? "")
        }
    }

    public var entries: [String: Entry]

    /// Captures the tree under `root` (not following symlinks), skipping paths for which
    /// `ignore` returns true.
    public init(root: String, ignore: (String) -> Bool = { _ in false }) throws {
        entries = [:]
        var inodes: [[UInt64]: [String]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if ignore(relative) { continue }
            let path = root + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            let format = status.st_mode & S_IFMT
            var entry = Entry(
                type: "?", mode: status.st_mode & 0o7777, uid: status.st_uid, gid: status.st_gid, size: 0, contentHash: 0,
                linkTarget: nil)
            switch format {
            case S_IFREG:
                entry.type = "f"
                entry.size = Int64(status.st_size)
                entry.contentHash = try Data(contentsOf: URL(fileURLWithPath: path)).hashValue
                if status.st_nlink > 1 { inodes[[UInt64(status.st_dev), UInt64(status.st_ino)], default: []].append(relative) }
            case S_IFDIR: entry.type = "d"
            case S_IFLNK:
                entry.type = "l"
                entry.linkTarget = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                entry.mode = 0o777
            case S_IFCHR: entry.type = "c"
            case S_IFBLK: entry.type = "b"
            case S_IFIFO: entry.type = "p"
            default: entry.type = "s"
            }
            entries[relative] = entry
        }
        for names in inodes.values where names.count > 1 {
            let first = names.min()!
            for name in names { entries[name]?.hardLinkGroup = first }
        }
    }

    /// The differences from `other`, one line each, for a failing test to print.
    public func differences(from other: FileTree) -> [String] {
        var lines: [String] = []
        for path in Set(entries.keys).union(other.entries.keys).sorted() {
            switch (entries[path], other.entries[path]) {
            case (let mine?, let theirs?) where mine != theirs: lines.append("\(path): \(mine) ≠ \(theirs)")
            case (_?, nil): lines.append("\(path): only on the left")
            case (nil, _?): lines.append("\(path): only on the right")
            default: break
            }
        }
        return lines
    }

    public var description: String {
        entries.keys.sorted().map { "\($0) \(entries[$0]!)" }.joined(separator: "\n")
    }
}
