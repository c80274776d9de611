#if canImport(Glibc)
    import Glibc
#endif
import Foundation

extension StoreRoot {
    /// The first of the store's own paths this process cannot write — the root (while it is
    /// missing, the directory it would be made in), its directories and its database — with the
    /// system's reason; nil when all can be written.
    ///
    /// `access(2)` answers for the process as it runs: root of a rootless session may write
    /// what the user owns, not what the host's root does (a store made by `sudo hoist`).
    func unwritablePath() -> (path: String, reason: Int32)? {
        var nearest = url.path
        while access(nearest, F_OK) != 0, nearest != "/" {
            nearest = (nearest as NSString).deletingLastPathComponent
        }
        let owned = [url, blobs, blobs.appendingPathComponent("sha256"), workDirectories, snapshots, locks, database]
        for path in [nearest] + owned.map(\.path) where access(path, F_OK) == 0 {
            if access(path, W_OK) != 0 { return (path, errno) }
        }
        return nil
    }

    /// One line naming the path this process cannot write and the fix, when the store cannot
    /// be written; nil when it can.
    func writeFailure() -> StoreError? {
        guard let (path, reason) = unwritablePath() else { return nil }
        let user = HostUser.id
        let name = getpwuid(user).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? String(user)
        let fix = reason == EROFS
            ? "it is on a read-only filesystem; give a store on a writable one with --root DIR or HOIST_ROOT=DIR"
            : "use a store of your own (--root DIR or HOIST_ROOT=DIR), or give this one to the user (as root: chown -R \(name) \(url.path))"
        return StoreError(
            .failedPrecondition, "cannot write the store \(url.path) as user \(name): \(path): \(String(cString: strerror(reason))); \(fix)")
    }
}
