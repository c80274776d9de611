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
            if unshare(CLONE_NEWNET) != 0 {
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

    /// Whether `path` holds a bound namespace (rather than the empty file under it).
    public static func isBound(_ path: String) -> Bool {
        var status = statfs()
        // NSFS_MAGIC
        return statfs(path, &status) == 0 && UInt(status.f_type) == 0x6e73_6673
    }

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
