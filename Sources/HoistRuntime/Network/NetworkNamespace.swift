#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A network namespace kept alive by a bind mount of its nsfs file at a path (as `ip netns add`
/// keeps them), so that CNI plugins can configure it before any container runs and the runtime
/// joins it by path. Made on a thread of its own: `unshare(CLONE_NEWNET)` changes only the
/// calling thread's namespace, and that thread ends right after the bind mount.
public enum NetworkNamespace {
    /// Makes a new network namespace and binds it at `path` (a file created here). Throws
    /// `unavailable` with the system's reason (no privilege to make namespaces, …).
    public static func create(at path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else {
            throw RuntimeError(.unavailable, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        let request = Request(path: path)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let request = Unmanaged<Request>.fromOpaque(argument).takeUnretainedValue()
            if NetworkNamespace.unshare(NetworkNamespace.newNetworkNamespace) != 0 {
                request.failure = "unshare: " + String(cString: strerror(errno))
            } else if mount("/proc/thread-self/ns/net", request.path, nil, UInt(MS_BIND), nil) != 0 {
                request.failure = "bind mount: " + String(cString: strerror(errno))
            }
            return nil
        }, Unmanaged.passUnretained(request).toOpaque())
        if started == 0 { pthread_join(thread, nil) } else { request.failure = "pthread_create: \(started)" }
        withExtendedLifetime(request) {}
        if let failure = request.failure {
            unlink(path)
            throw RuntimeError(.unavailable, "cannot make a network namespace at \(path): \(failure)")
        }
    }

    /// Unbinds and removes the namespace at `path`; the namespace ends once no process is in it.
    /// Nothing at `path` is fine.
    public static func remove(at path: String) {
        _ = umount2(path, Int32(MNT_DETACH))
        unlink(path)
    }

    /// Whether `path` holds a bound namespace (rather than the empty file under it): a mount
    /// there puts it on another device than its directory.
    public static func isBound(_ path: String) -> Bool {
        var file = stat()
        var directory = stat()
        guard stat(path, &file) == 0, stat((path as NSString).deletingLastPathComponent, &directory) == 0 else { return false }
        return file.st_dev != directory.st_dev
    }

    /// `CLONE_NEWNET`, which Glibc's Swift module leaves out (it is behind `_GNU_SOURCE`).
    static let newNetworkNamespace: Int32 = 0x4000_0000

    /// libc's `unshare(2)`, looked up at run time for the same reason.
    static let unshare: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else {
            return { _ in errno = ENOSYS; return -1 }
        }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// The namespace's inode (its identity), nil when `path` holds none.
    public static func identity(of path: String) -> UInt64? {
        guard isBound(path) else { return nil }
        var status = stat()
        return stat(path, &status) == 0 ? UInt64(status.st_ino) : nil
    }

    /// Whether any process has the namespace at `path` as its own.
    public static func isInUse(_ path: String) -> Bool {
        guard let identity = identity(of: path) else { return false }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        for entry in entries where entry.first?.isNumber == true {
            var status = stat()
            if stat("/proc/\(entry)/ns/net", &status) == 0, UInt64(status.st_ino) == identity { return true }
        }
        return false
    }

    private final class Request: @unchecked Sendable {
        let path: String
        var failure: String?
        init(path: String) { self.path = path }
    }
}
