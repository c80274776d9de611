#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistOCI

/// Copies a directory tree for ``CopySnapshotter``: every file gets a fresh inode (nothing is
/// hard-linked to the source, so the copy may change freely), while modes, owners, times to
/// the nanosecond, xattrs, symlinks, device nodes, FIFOs and the hard links inside the tree
/// are kept. Sockets are skipped. (Pod isolation copies bind mounts' sources with it too.)
public struct SnapshotTreeCopier {
    private var links: [[UInt64]: String] = [:]
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    /// Copies the contents of `source` into the existing directory `destination`, and the
    /// root directory's own metadata onto it.
    public static func copy(from source: String, to destination: String) throws {
        var copier = SnapshotTreeCopier()
        defer { copier.buffer.deallocate() }
        let status = try copier.status(source)
        try copier.copyChildren(of: source, to: destination)
        try copier.finishDirectory(destination, status, source: source)
    }

    private func status(_ path: String) throws -> stat {
        var status = stat()
        try systemCall("cannot stat \(path)") { lstat(path, &status) }
        return status
    }

    private mutating func copyChildren(of source: String, to destination: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: source).sorted()
        for name in names {
            try copyEntry(source + "/" + name, to: destination + "/" + name)
        }
    }

    private mutating func copyEntry(_ source: String, to destination: String) throws {
        let status = try status(source)
        let format = status.st_mode & S_IFMT
        if format != S_IFDIR && status.st_nlink > 1 {
            let key = [UInt64(status.st_dev), UInt64(status.st_ino)]
            if let first = links[key] {
                try systemCall("cannot link \(destination)") { link(first, destination) }
                return
            }
            links[key] = destination
        }
        switch format {
        case S_IFDIR:
            try systemCall("cannot create \(destination)") { mkdir(destination, 0o700) }
            try copyChildren(of: source, to: destination)
            try finishDirectory(destination, status, source: source)
        case S_IFREG:
            try copyFile(source, to: destination, status)
        case S_IFLNK:
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
            try systemCall("cannot create symlink \(destination)") { symlink(target, destination) }
            try systemCall("cannot chown \(destination)") { lchown(destination, status.st_uid, status.st_gid) }
            try copyXattrs(source, destination)
            try setTimes(destination, status)
        case S_IFCHR, S_IFBLK, S_IFIFO:
            try systemCall("cannot create node \(destination)") { mknod(destination, status.st_mode, status.st_rdev) }
            try systemCall("cannot chown \(destination)") { lchown(destination, status.st_uid, status.st_gid) }
            try systemCall("cannot chmod \(destination)") { chmod(destination, status.st_mode & 0o7777) }
            try copyXattrs(source, destination)
            try setTimes(destination, status)
        default:
            return  // sockets belong to whoever listens on them
        }
    }

    private func copyFile(_ source: String, to destination: String, _ status: stat) throws {
        let input = try systemCall("cannot open \(source)") { open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        defer { close(input) }
        let output = try systemCall("cannot create \(destination)") {
            open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        defer { close(output) }
        while true {
            let count = try systemCall("cannot read \(source)") { read(input, buffer.baseAddress, buffer.count) }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                offset += try systemCall("cannot write \(destination)") {
                    write(output, buffer.baseAddress! + offset, count - offset)
                }
            }
        }
        try systemCall("cannot chown \(destination)") { fchown(output, status.st_uid, status.st_gid) }
        // After chown, which clears set-id bits.
        try systemCall("cannot chmod \(destination)") { fchmod(output, status.st_mode & 0o7777) }
        try copyXattrs(source, destination)
        try setTimes(destination, status)
    }

    private func finishDirectory(_ destination: String, _ status: stat, source: String) throws {
        try systemCall("cannot chown \(destination)") { lchown(destination, status.st_uid, status.st_gid) }
        try systemCall("cannot chmod \(destination)") { chmod(destination, status.st_mode & 0o7777) }
        try copyXattrs(source, destination)
        try setTimes(destination, status)
    }

    private func setTimes(_ path: String, _ status: stat) throws {
        let times = [status.st_atim, status.st_mtim]
        try systemCall("cannot set times of \(path)") { utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) }
    }

    private func copyXattrs(_ source: String, _ destination: String) throws {
        guard let list = Self.listXattr, let get = Self.getXattr, let set = Self.setXattr else { return }
        let size = list(source, nil, 0)
        guard size > 0 else { return }
        var names = [CChar](repeating: 0, count: size)
        let listed = list(source, &names, size)
        guard listed > 0 else { return }
        for raw in names[..<listed].split(separator: 0) {
            let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let length = get(source, name, nil, 0)
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: max(length, 1))
            let got = value.withUnsafeMutableBytes { get(source, name, $0.baseAddress, length) }
            guard got >= 0 else { continue }
            try systemCall("cannot set xattr \(name) on \(destination)") {
                value.withUnsafeBytes { set(destination, name, $0.baseAddress, got, 0) }
            }
        }
    }

    // Glibc's Swift module omits <sys/xattr.h>, so the l*xattr functions are looked up once.
    private typealias ListXattr = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int
    private typealias GetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    private static let listXattr: ListXattr? = dlsym(nil, "llistxattr").map { unsafeBitCast($0, to: ListXattr.self) }
    private static let getXattr: GetXattr? = dlsym(nil, "lgetxattr").map { unsafeBitCast($0, to: GetXattr.self) }
    private static let setXattr: SetXattr? = dlsym(nil, "lsetxattr").map { unsafeBitCast($0, to: SetXattr.self) }
}
