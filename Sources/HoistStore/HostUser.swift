#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistArchive

/// The user Hoist works for, and where that user's runtime state goes. In a rootless session
/// Hoist runs as root of a user namespace that maps root to an unprivileged user; that user,
/// not the namespace's root, owns the store and the runtime directories.
public enum HostUser {
    /// The user's id outside any user namespace Hoist entered: the id root maps to in a rootless
    /// session, else the effective uid.
    public static var id: UInt32 { UserNamespace.rootOwner ?? geteuid() }

    /// Whether Hoist works for an unprivileged user (in a rootless session or about to enter one).
    public static var isRootless: Bool { id != 0 }

    /// Where runtime state lives (the runtimes' state, the rootless session's holder): `/run`
    /// for root; `$XDG_RUNTIME_DIR` for anyone else, else a private `/tmp/hoist-run-UID`.
    public static func runtimeDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if id == 0 { return URL(fileURLWithPath: "/run", isDirectory: true) }
        if let directory = environment["XDG_RUNTIME_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory, isDirectory: true)
        }
        let fallback = "/tmp/hoist-run-\(id)"
        if mkdir(fallback, 0o700) != 0 && errno == EEXIST {
            // Someone else's directory of that name would be someone else's state: not used.
            var status = stat()
            if lstat(fallback, &status) != 0 || status.st_mode & S_IFMT != S_IFDIR || status.st_mode & 0o077 != 0 {
                return URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            }
        }
        return URL(fileURLWithPath: fallback, isDirectory: true)
    }
}
