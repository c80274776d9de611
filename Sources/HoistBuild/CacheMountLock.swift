#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// How concurrent steps share a `RUN --mount=type=cache` directory, as BuildKit's `sharing`
/// option says: `shared` lets them all in, `locked` makes each wait for the one before, and
/// `private` gives a step that finds it busy a fresh directory of its own.
struct CacheMountLock {
    private let descriptor: Int32
    /// The directory the step mounts: the cache itself, or a private one when it was busy.
    let directory: String
    private let isPrivateCopy: Bool

    init(directory: String, sharing: ExecMount.CacheSharing) async throws {
        guard sharing != .shared else {
            descriptor = -1
            self.directory = directory
            isPrivateCopy = false
            return
        }
        let fd = open(directory + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw BuildError(.internal, "cannot open the lock of cache \(directory): \(String(cString: strerror(errno)))")
        }
        if sharing == .locked {
            // Polled rather than blocking, so a waiting step does not hold one of the few
            // threads the step it waits for may need.
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                do {
                    try await Task.sleep(for: .milliseconds(20))
                } catch {
                    close(fd)
                    throw error
                }
            }
            descriptor = fd
            self.directory = directory
            isPrivateCopy = false
        } else if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            descriptor = fd
            self.directory = directory
            isPrivateCopy = false
        } else {
            close(fd)
            descriptor = -1
            self.directory = directory + ".private-\(UUID().uuidString)"
            isPrivateCopy = true
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        }
    }

    /// Lets the next step in, and drops a private directory.
    func release() {
        if descriptor >= 0 { close(descriptor) }
        if isPrivateCopy { try? FileManager.default.removeItem(atPath: directory) }
    }
}
