#if canImport(Glibc)
    import Glibc
#endif

/// `O_PATH` (Linux), which Glibc's Swift module leaves out: it needs `_GNU_SOURCE`.
let O_PATH: Int32 = 0o10000000

/// An open directory (an `O_PATH` descriptor) and the operations the layer code performs on its
/// entries by name. None of them follows a symbolic link in the entry's name, and the directory
/// itself is pinned by its descriptor: whatever happens to the paths around it meanwhile — a
/// running container swapping a directory for a symlink to `/` — an operation lands in this
/// directory or fails. This is what makes copying into and out of a live container safe; path
/// strings checked first and used afterwards are not (see ``RootDirectory``).
///
/// Changing an entry's mode and extended attributes has no `*at` call that refuses symlinks
/// everywhere; those go through `/proc/self/fd/N/NAME`, whose prefix is this very directory.
final class DirectoryHandle {
    /// The descriptor, closed when the handle goes.
    let descriptor: Int32

    init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Opens `path` (an absolute host path) as a directory handle.
    static func open(path: String) throws -> DirectoryHandle {
        let fd = Glibc.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.system("open", path: path) }
        return DirectoryHandle(adopting: fd)
    }

    /// A path naming entry `name` of this directory that no rename elsewhere can redirect;
    /// `"."` names the directory itself.
    func pinnedPath(_ name: String) -> String { "/proc/self/fd/\(descriptor)/\(name)" }

    // MARK: Reading

    /// `lstat` of the entry, or nil if nothing is there.
    func info(_ name: String) throws -> FileInfo? {
        var status = stat()
        if fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 { return FileInfo(status) }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw ArchiveError.system("lstat", path: name)
    }

    /// The target of the symlink `name`.
    func readLink(_ name: String) throws -> String {
        var capacity = 256
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = readlinkat(descriptor, name, &buffer, capacity)
            guard n >= 0 else { throw ArchiveError.system("readlink", path: name) }
            if n < capacity {
                return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity *= 4
        }
    }

    /// The subdirectory `name`, never through a symlink; nil when `name` is not a directory.
    func directory(_ name: String) throws -> DirectoryHandle? {
        let fd = openat(descriptor, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 { return DirectoryHandle(adopting: fd) }
        if [ENOENT, ENOTDIR, ELOOP].contains(errno) { return nil }
        throw ArchiveError.system("open", path: name)
    }

    /// A descriptor for reading the regular file `name` (the caller closes it).
    func openFile(_ name: String) throws -> Int32 {
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.system("open", path: name) }
        return fd
    }

    /// The names in this directory (without `.` and `..`), sorted by their UTF-8 bytes.
    func list() throws -> [String] {
        let fd = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, let stream = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            throw ArchiveError.system("opendir", path: pinnedPath("."))
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw ArchiveError.system("readdir", path: pinnedPath(".")) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The extended attributes of entry `name` (not following it).
    func xattrs(_ name: String) throws -> [String: [UInt8]] {
        try FileSystem.xattrs(pinnedPath(name))
    }

    // MARK: Making

    func makeDirectory(_ name: String, mode: mode_t) -> Int32 { mkdirat(descriptor, name, mode) }

    func makeSymlink(_ name: String, target: String) -> Int32 { symlinkat(target, descriptor, name) }

    func makeNode(_ name: String, mode: mode_t, device: dev_t) -> Int32 { mknodat(descriptor, name, mode, device) }

    /// Creates the regular file `name`, which must not exist, and returns a writable descriptor.
    func createFile(_ name: String, mode: mode_t) -> Int32 {
        openat(descriptor, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    }

    /// A hard link `name` here to entry `target` of `directory` (a symlink is linked itself).
    func link(_ name: String, to target: String, in directory: DirectoryHandle) -> Int32 {
        linkat(directory.descriptor, target, descriptor, name, 0)
    }

    // MARK: Changing

    func setOwner(_ name: String, uid: Int, gid: Int) -> Int32 {
        fchownat(descriptor, name, uid_t(truncatingIfNeeded: uid), gid_t(truncatingIfNeeded: gid), AT_SYMLINK_NOFOLLOW)
    }

    func setTimes(_ name: String, _ time: TarTimestamp) -> Int32 {
        let stamp = timespec(tv_sec: Int(time.seconds), tv_nsec: Int(time.nanoseconds))
        return utimensat(descriptor, name, [stamp, stamp], AT_SYMLINK_NOFOLLOW)
    }

    /// `chmod` of entry `name` itself: refused (ELOOP) for a symlink, which would lead elsewhere.
    func setMode(_ name: String, _ mode: mode_t) -> Int32 {
        let fd = openat(descriptor, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return -1 }
        guard status.st_mode & S_IFMT != S_IFLNK else {
            errno = ELOOP
            return -1
        }
        return chmod("/proc/self/fd/\(fd)", mode)
    }

    /// `lsetxattr` of entry `name`; 0 or the errno.
    func setXattr(_ name: String, _ key: String, _ value: [UInt8]) -> Int32 {
        FileSystem.setXattr(pinnedPath(name), key, value)
    }

    /// Removes entry `name` and, for a directory, everything under it, by descriptors only.
    func removeAll(_ name: String) throws {
        guard let info = try info(name) else { return }
        guard info.kind == .directory else {
            guard unlinkat(descriptor, name, 0) == 0 || errno == ENOENT else { throw ArchiveError.system("unlink", path: name) }
            return
        }
        if let child = try directory(name) {
            // A read-only directory cannot have its entries removed until it is writable.
            if info.permissions & 0o700 != 0o700 { _ = setMode(name, 0o700) }
            for entry in try child.list() { try child.removeAll(entry) }
        }
        guard unlinkat(descriptor, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw ArchiveError.system("rmdir", path: name)
        }
    }
}
