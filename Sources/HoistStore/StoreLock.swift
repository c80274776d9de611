#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A process-shared advisory lock on a file under `locks/` (flock), released when the holder
/// ends, crash included: the store's migration and the recovery of dead processes' work take
/// it exclusively. (What writers add is kept from collection by their ``Lease``s, not by a lock.)
final class StoreLock: Sendable {
    enum Mode { case shared, exclusive }

    private let descriptor: Int32

    /// Takes the lock at `path` in `mode`, waiting up to `timeout` seconds for other holders.
    init(path: String, mode: Mode, timeout: Double = 600) throws {
        descriptor = try systemCall("cannot open lock file \(path)") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        let operation = (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, operation) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(descriptor)
                throw StoreError(errnoCode(code), "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            guard Date() < deadline else {
                close(descriptor)
                throw StoreError(.unavailable, "timed out after \(Int(timeout)) s waiting for another hoist process to release \(path)")
            }
            usleep(20_000)
        }
    }

    deinit {
        close(descriptor)
    }
}
