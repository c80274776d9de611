#if canImport(Glibc)
    import Glibc
#endif

/// The kind of a file as `lstat(2)` reports it.
enum FileKind: Sendable, Equatable {
    case regular, directory, symbolicLink, characterDevice, blockDevice, fifo, socket
}

/// What the layer code needs from `struct stat`.
struct FileInfo: Sendable {
    var kind: FileKind
    /// Permission bits with setuid/setgid/sticky.
    var permissions: UInt32
    var uid: Int
    var gid: Int
    var size: Int64
    var modificationTime: TarTimestamp
    var device: UInt64
    var inode: UInt64
    var linkCount: UInt64
    var deviceMajor: UInt32
    var deviceMinor: UInt32

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        case S_IFCHR: kind = .characterDevice
        case S_IFBLK: kind = .blockDevice
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        default: kind = .regular
        }
        permissions = UInt32(st.st_mode) & 0o7777
        uid = Int(st.st_uid)
        gid = Int(st.st_gid)
        size = Int64(st.st_size)
        modificationTime = TarTimestamp(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int32(st.st_mtim.tv_nsec))
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        linkCount = UInt64(st.st_nlink)
        (deviceMajor, deviceMinor) = DeviceNumber.split(st.st_rdev)
    }
}

/// Thin wrappers over the system calls the layer code uses, throwing ``ArchiveError``.
///
/// Paths are Swift strings; file names that are not valid UTF-8 are not supported.
enum FileSystem {
    /// `lstat`, or nil if nothing is there (`ENOENT`/`ENOTDIR`).
    static func info(_ path: String) throws -> FileInfo? {
        var st = stat()
        if lstat(path, &st) == 0 { return FileInfo(st) }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw ArchiveError.system("lstat", path: path)
    }

    static func readLink(_ path: String) throws -> String {
        var capacity = 256
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = readlink(path, &buffer, capacity)
            guard n >= 0 else { throw ArchiveError.system("readlink", path: path) }
            if n < capacity {
                return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity *= 4
        }
    }

    /// The names in a directory (without `.` and `..`), sorted by their UTF-8 bytes.
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw ArchiveError.system("opendir", path: path) }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw ArchiveError.system("readdir", path: path) }
                break
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func makeDevice(major: UInt32, minor: UInt32) -> dev_t {
        DeviceNumber.make(major: major, minor: minor)
    }

    // MARK: - Extended attributes
    // Glibc's Swift module omits <sys/xattr.h>, so the l*xattr functions are looked up once.

    private typealias ListXattr = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int
    private typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    private static let listXattr: ListXattr? = dlsym(nil, "llistxattr").map { unsafeBitCast($0, to: ListXattr.self) }
    private static let getXattr: GetXattr? = dlsym(nil, "lgetxattr").map { unsafeBitCast($0, to: GetXattr.self) }
    private static let setXattr: SetXattr? = dlsym(nil, "lsetxattr").map { unsafeBitCast($0, to: SetXattr.self) }

    /// All extended attributes of `path` (not following a final symlink). A file system
    /// without xattr support gives an empty dictionary.
    static func xattrs(_ path: String) throws -> [String: [UInt8]] {
        guard let listXattr, let getXattr else { return [:] }
        var size = listXattr(path, nil, 0)
        if size < 0 {
            if errno == ENOTSUP { return [:] }
            throw ArchiveError.system("llistxattr", path: path)
        }
        guard size > 0 else { return [:] }
        var names = [CChar](repeating: 0, count: size)
        size = listXattr(path, &names, size)
        guard size >= 0 else { throw ArchiveError.system("llistxattr", path: path) }
        var result: [String: [UInt8]] = [:]
        for raw in names[..<size].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let length = getXattr(path, name, nil, 0)
            if length < 0 {
                if errno == ENODATA { continue }
                throw ArchiveError.system("lgetxattr \(name)", path: path)
            }
            var value = [UInt8](repeating: 0, count: length)
            let got = value.withUnsafeMutableBytes { getXattr(path, name, $0.baseAddress, length) }
            guard got >= 0 else { throw ArchiveError.system("lgetxattr \(name)", path: path) }
            result[name] = Array(value[..<got])
        }
        return result
    }

    /// `lsetxattr`; returns 0 or the errno, since callers decide whether a failure matters.
    static func setXattr(_ path: String, _ name: String, _ value: [UInt8]) -> Int32 {
        guard let setXattr else { return ENOTSUP }
        let status = value.withUnsafeBytes { setXattr(path, name, $0.baseAddress, value.count, 0) }
        return status == 0 ? 0 : errno
    }
}
