#if canImport(Glibc)
    import Glibc
#endif

/// The metadata of every file in a directory tree, one `lstat` each, taken before a build step
/// changes the tree in place: ``LayerDiffer/diffRecording(since:to:)`` walks the tree afterwards,
/// reads only the files whose metadata moved, and records the tree as it then is for the next
/// step — as Kaniko snapshots a container's own root, with one walk per step.
///
/// A change shows in what is recorded: the stat cache's rule (size, modification time, inode)
/// and, since a program in the tree can set a modification time back, the change time (which
/// no program can set back) — it moves with contents, mode, owner, xattrs and link counts —
/// and mode and owner as such. A directory whose own record is unchanged has the same entries
/// (adding, removing or renaming one moves its times), so a walk stats its recorded entries
/// and does not list it. Paths in ``excluded`` — with everything under them — and directories
/// on another file system (mount points) are neither recorded nor compared.
///
/// The record holds no paths: each directory keeps its children's names in one buffer and
/// their records in an array sorted by name, and walks open directories relative to their
/// parent's descriptor.
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

    /// One name in a directory and what was recorded of it.
    struct Child: Sendable, Equatable {
        /// Where the name is in its directory's ``Directory/names`` (without its NUL).
        var nameOffset: Int32
        var nameLength: Int32
        var entry: Entry
        /// The index of a directory's own record in ``directories``; -1 for other files.
        var directory: Int32
    }

    /// One directory's children.
    struct Directory: Sendable {
        /// The children's names, each followed by a NUL (so it can be passed to `fstatat`).
        var names: [UInt8] = []
        /// Sorted by their names' bytes, as ``FileSystem/list(_:)`` sorts.
        var children: [Child] = []
    }

    /// The tree's root directory.
    public let root: String
    /// Root-relative paths (no leading `/`) left out, with everything under them.
    public let excluded: Set<String>
    /// How many files were recorded.
    public let count: Int
    /// The same paths as names, for walks.
    let exclusions: TreeExclusions
    /// The file system of the root: directories on another one are mount points, left out.
    let rootDevice: UInt64
    /// The root directory's own record.
    let rootEntry: Entry
    /// Every recorded directory, the root's at index 0.
    let directories: [Directory]
    /// The latest change time recorded: changes made later must show a later one.
    let newestChange: TarTimestamp

    /// Records the tree at `root`, leaving out `excluded` (root-relative paths). Throws
    /// ``ArchiveError`` when a directory cannot be read.
    public init(root: String, excluding excluded: Set<String> = []) throws {
        var walk = TreeWalk<DiscardingSink>(root: root, excluded: excluded, before: nil, walker: nil)
        self = try walk.run()
        waitUntilLaterChangesShow()
    }

    init(
        root: String, excluded: Set<String>, exclusions: TreeExclusions, rootDevice: UInt64, rootEntry: Entry,
        directories: [Directory], count: Int, newestChange: TarTimestamp
    ) {
        self.root = root
        self.excluded = excluded
        self.exclusions = exclusions
        self.rootDevice = rootDevice
        self.rootEntry = rootEntry
        self.directories = directories
        self.count = count
        self.newestChange = newestChange
    }

    /// Waits until a change made from now on shows in the change time of what it changes.
    ///
    /// File times come from the kernel's coarse clock: a file changed within the tick it was
    /// last changed in would keep its times. Waiting until that tick is over (a few
    /// milliseconds at most, and only when the tree was just written) makes every later change
    /// show. ``init(root:excluding:)`` waits; a record made by a diff is waited on by whoever
    /// lets the tree change next, by which time the tick is usually over.
    public func waitUntilLaterChangesShow() {
        while true {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &now)
            if TarTimestamp(seconds: Int64(now.tv_sec), nanoseconds: Int32(now.tv_nsec)) > newestChange { return }
            usleep(1000)
        }
    }

    /// The path of `relative` (root-relative, `""` for the root) under the directory `path`.
    static func path(_ path: String, _ relative: String) -> String {
        if relative.isEmpty { return path }
        return path.hasSuffix("/") ? path + relative : path + "/" + relative
    }
}
