#if canImport(Glibc)
    import Glibc
#endif
import Foundation
public import HoistOCI
import Synchronization

/// An exclusive claim on a build step's cache key, shared by every process on the store: a
/// lock file `locks/steps/KEY` (flock, so a holder that dies lets go). The holder removes the
/// file when it releases; a waiter that then holds a removed file tries again.
public final class StepLock: Sendable {
    private let path: String
    private let descriptor = Mutex<Int32>(-1)

    init(path: String, descriptor fd: Int32) {
        self.path = path
        descriptor.withLock { $0 = fd }
    }

    deinit {
        release()
    }

    /// Lets the next waiter go on. Releasing again does nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            unlink(path)
            close(fd)
            fd = -1
        }
    }
}

extension Store {
    /// Waits until no other build holds the step `key`, then holds it.
    public func lockStep(_ key: Digest) async throws -> StepLock {
        let directory = root.locks.appendingPathComponent("steps").path
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw StoreError(errnoCode(errno), "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        let path = directory + "/" + key.encoded
        while true {
            let fd = try systemCall("cannot open lock file \(path)") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    let code = errno
                    close(fd)
                    throw StoreError(errnoCode(code), "cannot lock \(path): \(String(cString: strerror(code)))")
                }
                do {
                    try await Task.sleep(nanoseconds: 20_000_000)
                } catch {
                    close(fd)
                    throw error
                }
            }
            // The holder before removed the file when it let go: this lock is on a file no
            // one else will open; take a fresh one.
            var held = stat()
            var current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                return StepLock(path: path, descriptor: fd)
            }
            close(fd)
        }
    }
}
