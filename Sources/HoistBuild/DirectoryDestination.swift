#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// A ``CopyDestination`` that is a directory of this machine (a mounted snapshot), written
/// with system calls: owners are given with `lchown`, so on anything but files of this user
/// it needs root.
final class DirectoryDestination: CopyDestination {
    let root: RootedPath

    init(root: RootedPath) {
        self.root = root
    }

    func resolveComponents(_ path: String, followFinalSymlink: Bool) throws -> [String] {
        try root.resolveComponents(path, followFinalSymlink: followFinalSymlink)
    }

    func node(at path: [String]) -> DestinationNode? {
        let host = root.hostPath(path)
        var info = stat()
        guard lstat(host, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink(target: (try? FileManager.default.destinationOfSymbolicLink(atPath: host)) ?? "")
        default: return .other
        }
    }

    func contents(of path: String) -> Data? {
        guard let host = try? root.resolve(path) else { return nil }
        return FileManager.default.contents(atPath: host)
    }

    func clear(_ path: [String]) throws {
        try FileManager.default.removeItem(atPath: root.hostPath(path))
    }

    func create(_ entry: CopiedEntry, at path: [String]) throws {
        let host = root.hostPath(path)
        switch entry.kind {
        case .directory:
            // Owner, mode and times come once the contents are in (finishDirectory).
            if node(at: path) != .directory { try check(mkdir(host, 0o700), "mkdir", host) }
            return
        case .file(let source):
            var input = try FileByteSource(path: source)
            let output = try FileByteSink(path: host, permissions: 0o600)
            var sink = output
            try input.copy(to: &sink)
            try output.close()
        case .data(let data):
            let output = try FileByteSink(path: host, permissions: 0o600)
            var sink = output
            var input = MemoryByteSource(Array(data))
            try input.copy(to: &sink)
            try output.close()
        case .symbolicLink(let target):
            try check(symlink(target, host), "symlink", host)
        case .node(let type, let device):
            try check(mknod(host, type | 0o600, device), "mknod", host)
        }
        try setAttributes(of: entry, at: host)
    }

    func finishDirectory(_ entry: CopiedEntry, at path: [String]) throws {
        try setAttributes(of: entry, at: root.hostPath(path))
    }

    func link(_ path: [String], to existing: [String]) throws {
        let host = root.hostPath(path)
        try check(Glibc.link(root.hostPath(existing), host), "link", host)
    }

    func remove(_ path: [String]) throws {
        try FileManager.default.removeItem(atPath: root.hostPath(path))
    }

    func extract(_ archive: String, into directory: String, owner: (uid: UInt32, gid: UInt32)?) throws {
        var created: [String] = []
        var path = ""
        for component in try root.resolveComponents(directory) {
            path += "/" + component
            let host = try root.resolve(path)
            if !FileManager.default.fileExists(atPath: host) {
                try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: false)
                created.append(host)
            }
        }
        if let owner { for made in created { _ = lchown(made, owner.uid, owner.gid) } }
        var options = LayerApplier.Options()
        options.owner = owner.map { LayerApplier.Options.Owner(uid: Int($0.uid), gid: Int($0.gid)) }
        _ = try LayerApplier(root: try root.resolve(directory), options: options).apply(try FileByteSource(path: archive))
    }

    /// Owner, then mode (a chown clears setuid bits), extended attributes (every one that can
    /// be set is, as BuildKit's copier sets them) and times.
    private func setAttributes(of entry: CopiedEntry, at host: String) throws {
        try check(lchown(host, entry.uid, entry.gid), "chown", host)
        if case .symbolicLink = entry.kind {} else {
            try check(chmod(host, mode_t(entry.permissions)), "chmod", host)
        }
        for (name, value) in entry.extendedAttributes {
            _ = ExtendedAttributes.set(host, name, value)
        }
        if let times = entry.times {
            var both = [times.access, times.modification]
            _ = utimensat(AT_FDCWD, host, &both, AT_SYMLINK_NOFOLLOW)
        }
    }

    private func check(_ result: Int32, _ what: String, _ path: String) throws {
        guard result == 0 else {
            throw BuildError(.internal, "\(what) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
