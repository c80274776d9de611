#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// Part of a file system that lives elsewhere (a Docker daemon's container), put on this
/// machine's disk to be copied from by a user who cannot give files their owners: entries are
/// written as this user's and readable by it, and what each really is — owner, mode, device,
/// extended attributes — is kept beside it, for the copy to give the destination.
public struct SourceTree: Sendable {
    /// The directory the tree is in.
    public let root: String
    /// What each entry really is, by host path.
    private(set) var attributes: [String: CopySemantics.SourceAttributes] = [:]
    /// Directories' times, set once everything is in (an entry added below changes them).
    private var directoryTimes: [(String, TarTimestamp)] = []

    /// A tree in `root`, an empty directory this user may write.
    public init(root: String) {
        self.root = root
    }

    /// Adds the tar in the file `archive` (plain) with its entries placed under the root-relative
    /// `directory`; entries `keep` refuses (their root-relative path) are left out.
    ///
    /// - Throws: ``BuildError`` `invalidArgument` for an entry that leads out of the tree, and
    ///   the archive's or the file system's error.
    public mutating func add(archive: String, under directory: [String], keep: (String) -> Bool) throws {
        var reader = TarReader(try FileByteSource(path: archive))
        while let header = try reader.next() {
            let components = try Self.components(header.name)
            let path = directory + components
            guard keep(path.joined(separator: "/")) else { continue }
            let host = path.isEmpty ? root : root + "/" + path.joined(separator: "/")
            try makeParents(of: path)
            var info = stat()
            let exists = lstat(host, &info) == 0
            if exists, !(info.st_mode & S_IFMT == S_IFDIR && header.type == .directory) {
                try FileManager.default.removeItem(atPath: host)
            }
            let type: mode_t
            var device: dev_t = 0
            switch header.type {
            case .directory:
                type = S_IFDIR
                if !(exists && info.st_mode & S_IFMT == S_IFDIR) { try check(mkdir(host, 0o700), "mkdir", host) }
                directoryTimes.append((host, header.modificationTime))
            case .regular:
                type = S_IFREG
                let sink = try FileByteSink(path: host, permissions: 0o600)
                var output = sink
                _ = try reader.copy(to: &output)
                try sink.close()
            case .symbolicLink:
                type = S_IFLNK
                try check(symlink(header.linkName, host), "symlink", host)
            case .hardLink:
                let target = root + "/" + (directory + (try Self.components(header.linkName))).joined(separator: "/")
                try check(link(target, host), "link", host)
                attributes[host] = attributes[target]
                continue
            case .characterDevice, .blockDevice, .fifo:
                // Not made here (no privilege): an empty file stands in, and the copy makes the node.
                type = header.type == .characterDevice ? S_IFCHR : header.type == .blockDevice ? S_IFBLK : S_IFIFO
                device = DeviceNumber.make(major: header.deviceMajor, minor: header.deviceMinor)
                try FileByteSink(path: host, permissions: 0o600).close()
            }
            attributes[host] = CopySemantics.SourceAttributes(
                uid: UInt32(clamping: header.uid), gid: UInt32(clamping: header.gid), mode: UInt32(type) | (header.mode & 0o7777),
                device: device, extendedAttributes: header.xattrs)
            if header.type != .directory {
                var times = [Self.timespec(header.modificationTime), Self.timespec(header.modificationTime)]
                _ = utimensat(AT_FDCWD, host, &times, AT_SYMLINK_NOFOLLOW)
            }
        }
    }

    /// Sets the directories' times; call once every archive is in.
    public mutating func finish() {
        for (host, time) in directoryTimes.reversed() {
            var times = [Self.timespec(time), Self.timespec(time)]
            _ = utimensat(AT_FDCWD, host, &times, AT_SYMLINK_NOFOLLOW)
        }
        directoryTimes.removeAll()
    }

    /// The directories above `path` that are not there yet, made as this user's.
    private func makeParents(of path: [String]) throws {
        var current = root
        for component in path.dropLast() {
            current += "/" + component
            var info = stat()
            if lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
            try check(mkdir(current, 0o700), "mkdir", current)
        }
    }

    private static func components(_ name: String) throws -> [String] {
        let parts = name.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else {
            throw BuildError(.invalidArgument, "the daemon's archive holds \(name), which leads out of it")
        }
        return parts
    }

    private static func timespec(_ time: TarTimestamp) -> Glibc.timespec {
        Glibc.timespec(tv_sec: Int(time.seconds), tv_nsec: Int(time.nanoseconds))
    }

    private func check(_ result: Int32, _ what: String, _ path: String) throws {
        guard result == 0 else {
            throw BuildError(.internal, "\(what) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
