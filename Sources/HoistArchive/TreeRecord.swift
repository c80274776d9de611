#if canImport(Glibc)
    import Glibc
#endif

/// The metadata of every file in a directory tree, one `lstat` each, taken before a build step
/// changes the tree in place: ``LayerDiffer/diff(since:to:)`` walks the tree afterwards and
/// reads only the files whose metadata moved, as Kaniko snapshots a container's own root.
///
/// A change shows in what is recorded: contents in the size and modification time, mode and
/// owner as such, xattrs and link counts in the change time (which no program can set back), a
/// replaced file in its inode. Paths in ``excluded`` — with everything under them — and
/// directories on another file system (mount points) are neither recorded nor compared.
public struct TreeRecord: Sendable {
    /// What is compared of one file.
    struct Entry: Sendable, Equatable {
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
        var size: Int64
        var modification: TarTimestamp
        var change: TarTimestamp
        var inode: UInt64
        var device: UInt64

        init(_ status: stat) {
            mode = UInt32(status.st_mode)
            uid = status.st_uid
            gid = status.st_gid
            size = Int64(status.st_size)
            modification = TarTimestamp(seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int32(status.st_mtim.tv_nsec))
            change = TarTimestamp(seconds: Int64(status.st_ctim.tv_sec), nanoseconds: Int32(status.st_ctim.tv_nsec))
            inode = UInt64(status.st_ino)
            device = UInt64(status.st_rdev)
        }

        var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    }

    /// A name in a directory and what was recorded of it.
    struct Child: Sendable {
        var name: String
        var entry: Entry
    }

    /// The tree's root directory.
    public let root: String
    /// Root-relative paths (no leading `/`) left out, with everything under them.
    public let excluded: Set<String>
    /// How many files were recorded.
    public private(set) var count = 0
    /// The file system of the root: directories on another one are mount points, left out.
    let rootDevice: UInt64
    /// Each directory's children, by the directory's root-relative path (`""` for the root),
    /// sorted by their UTF-8 bytes as ``FileSystem/list(_:)`` sorts them.
    private var directories: [String: [Child]] = [:]

    /// Records the tree at `root`, leaving out `excluded` (root-relative paths). Throws
    /// ``ArchiveError`` when a directory cannot be read.
    public init(root: String, excluding excluded: Set<String> = []) throws {
        self.root = root
        self.excluded = excluded
        var status = stat()
        guard lstat(root, &status) == 0 else { throw ArchiveError.system("lstat", path: root) }
        rootDevice = UInt64(status.st_dev)
        var newestChange = TarTimestamp(seconds: 0)
        try record("", path: root, newestChange: &newestChange)
        Self.waitForClockToPass(newestChange)
    }

    /// What was recorded in the directory `relative`, sorted by name.
    func children(of relative: String) -> [Child] {
        directories[relative] ?? []
    }

    /// Whether walks leave out the path `relative`: an excluded one, or a directory on another
    /// file system than the root's.
    func leavesOut(_ relative: String, isDirectory: Bool, device: UInt64) -> Bool {
        excluded.contains(relative) || (isDirectory && device != rootDevice)
    }

    private mutating func record(_ relative: String, path: String, newestChange: inout TarTimestamp) throws {
        var children: [Child] = []
        var subdirectories: [(String, String)] = []
        for name in try FileSystem.list(path) {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            let childPath = TreeRecord.path(path, name)
            var status = stat()
            guard lstat(childPath, &status) == 0 else {
                if errno == ENOENT { continue }
                throw ArchiveError.system("lstat", path: childPath)
            }
            let entry = Entry(status)
            guard !leavesOut(childRelative, isDirectory: entry.isDirectory, device: UInt64(status.st_dev)) else { continue }
            children.append(Child(name: name, entry: entry))
            if entry.change > newestChange { newestChange = entry.change }
            if entry.isDirectory { subdirectories.append((childRelative, childPath)) }
        }
        count += children.count
        directories[relative] = children
        for (childRelative, childPath) in subdirectories {
            try record(childRelative, path: childPath, newestChange: &newestChange)
        }
    }

    /// The path of `name` in the directory `path` (which may be `/`).
    static func path(_ path: String, _ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// File times come from the kernel's coarse clock: a file changed within the tick it was
    /// last changed in would keep its times. Waiting until that tick is over (a few
    /// milliseconds at most, and only when the tree was just written) makes every later change
    /// show.
    private static func waitForClockToPass(_ newest: TarTimestamp) {
        while true {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &now)
            if TarTimestamp(seconds: Int64(now.tv_sec), nanoseconds: Int32(now.tv_nsec)) > newest { return }
            usleep(1000)
        }
    }
}
