#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistBackend
import HoistArchive
import HoistBuild
import HoistStore

/// `RUN --mount` in pod isolation, where nothing can be mounted: for the step's duration each
/// target is made what the mount would show, as Kaniko's successors do — a copy of a bind's
/// source (the step's writes to it are thrown away, as BuildKit throws away a writable bind's),
/// a symbolic link to a cache mount's directory or an agent's socket (writes stay), an empty
/// directory for a tmpfs — and afterwards the tree is put back: what was at the target returns,
/// directories made for it go, the parent's times are restored. What the step wrote elsewhere
/// stays for the layer.
struct PodMounts {
    /// One target made, and how to undo it.
    private struct Placed {
        var destination: String
        /// Where what was at the target waits meanwhile.
        var hidden: String?
        /// Directories made on the way to the target, outermost first.
        var madeParents: [String]
        /// The nearest existing ancestor and its access and modification times.
        var ancestor: (path: String, times: [timespec])?
    }

    private var placed: [Placed] = []
    /// Where hidden targets wait: a directory at the top of the tree (same file system).
    private let hidingPlace: String

    /// Makes each target in `root` (the tree's `/`) what its mount would show, shallowest
    /// first. Throws (and undoes what it did) when a target cannot be made: a mount point of
    /// the container in the way, a source that cannot be read.
    init(binds: [CommandSpec.BindMount], tmpfs: [String: Int64?], root: String) throws {
        hidingPlace = (root.hasSuffix("/") ? root : root + "/") + ".hoist-mounts-\(UUID().uuidString.prefix(8).lowercased())"
        let rooted = try RootedPath(root: root)
        enum Kind {
            case bind(CommandSpec.BindMount)
            case tmpfs
        }
        let targets: [(String, Kind)] = binds.map { ($0.destination, .bind($0)) } + tmpfs.keys.map { ($0, .tmpfs) }
        do {
            for (destination, kind) in targets.sorted(by: { $0.0.split(separator: "/").count < $1.0.split(separator: "/").count }) {
                let path = try rooted.resolve(destination, followFinalSymlink: false)
                placed.append(try clear(path))
                switch kind {
                case .tmpfs:
                    try Self.call("create \(destination)") { mkdir(path, 0o1777) }
                    try Self.call("chmod \(destination)") { chmod(path, 0o1777) }
                case .bind(let bind):
                    try Self.show(bind, at: path)
                }
            }
        } catch {
            restore()
            throw error
        }
    }

    /// Puts the tree back as it was before the targets were made, innermost first.
    func restore() {
        for entry in placed.reversed() {
            Self.remove(entry.destination)
            if let hidden = entry.hidden {
                rename(hidden, entry.destination)
            } else {
                for directory in entry.madeParents.reversed() where rmdir(directory) != 0 { break }
            }
            if let ancestor = entry.ancestor {
                var times = ancestor.times
                utimensat(AT_FDCWD, ancestor.path, &times, AT_SYMLINK_NOFOLLOW)
            }
        }
        rmdir(hidingPlace)
    }

    /// Frees `path` for a target: what is there is moved aside; missing parents are made.
    private mutating func clear(_ path: String) throws -> Placed {
        var entry = Placed(destination: path, madeParents: [])
        let parent = (path as NSString).deletingLastPathComponent
        var status = stat()
        if lstat(path, &status) == 0 {
            entry.ancestor = Self.times(of: parent)
            if mkdir(hidingPlace, 0o700) != 0 && errno != EEXIST {
                throw ClientError(.failedPrecondition, "pod isolation cannot make \(hidingPlace): \(String(cString: strerror(errno)))")
            }
            let hidden = hidingPlace + "/\(placed.count)"
            guard rename(path, hidden) == 0 else {
                throw ClientError(
                    .failedPrecondition,
                    "pod isolation cannot mount at \(path): \(String(cString: strerror(errno)))" + (errno == EBUSY ? " (a mount point of the container)" : ""))
            }
            entry.hidden = hidden
            return entry
        }
        var missing: [String] = []
        var ancestor = parent
        while lstat(ancestor, &status) != 0 {
            missing.insert(ancestor, at: 0)
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        entry.ancestor = Self.times(of: ancestor)
        for directory in missing {
            guard mkdir(directory, 0o755) == 0 else {
                throw ClientError(.failedPrecondition, "pod isolation cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            entry.madeParents.append(directory)
        }
        return entry
    }

    /// Makes `path` show the bind's source: a link where writes must stay, else a copy.
    private static func show(_ bind: CommandSpec.BindMount, at path: String) throws {
        var status = stat()
        try call("read \(bind.source)") { lstat(bind.source, &status) }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFSOCK || (bind.keepsWrites && !bind.readOnly) {
            try call("link \(path) to \(bind.source)") { symlink(bind.source, path) }
        } else if kind == S_IFDIR {
            try call("create \(path)") { mkdir(path, 0o700) }
            try SnapshotTreeCopier.copy(from: bind.source, to: path)
        } else {
            try FileManager.default.copyItem(atPath: bind.source, toPath: path)
            try call("chown \(path)") { lchown(path, status.st_uid, status.st_gid) }
            try call("chmod \(path)") { chmod(path, status.st_mode & 0o7777) }
        }
    }

    private static func remove(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if status.st_mode & S_IFMT == S_IFDIR {
            try? FileManager.default.removeItem(atPath: path)
        } else {
            unlink(path)
        }
    }

    private static func times(of path: String) -> (path: String, times: [timespec])? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return (path, [status.st_atim, status.st_mtim])
    }

    private static func call(_ what: String, _ body: () -> Int32) throws {
        guard body() == 0 else {
            throw ClientError(.failedPrecondition, "pod isolation cannot \(what): \(String(cString: strerror(errno)))")
        }
    }
}
