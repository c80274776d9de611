#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// The files and directories an OCI runtime creates in a root filesystem only to mount over
/// them (`/etc/hosts`, `/proc`, a bind mount's target …). A build step must not keep them:
/// they were never the command's doing. Record before the run, then ``removeCreated()``.
struct MountStubs {
    /// What the runtime mounts in every container, besides the step's own mounts.
    static let runtimeTargets = [
        "/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm",
        "/dev/mqueue", "/sys/fs/cgroup",
    ]

    private let root: RootedPath
    /// Targets that did not exist, deepest first, with their parents' times to restore.
    private var missing: [String] = []
    private var parentTimes: [String: [timespec]] = [:]

    init(root: String, targets: [String]) throws {
        self.root = try RootedPath(root: root)
        for target in Set(Self.runtimeTargets + targets) {
            let host = try self.root.resolve(target, followFinalSymlink: false)
            var info = stat()
            guard lstat(host, &info) != 0 else { continue }
            missing.append(host)
            // The first existing ancestor gets a new entry (and mtime) when the stub is made.
            var parent = (host as NSString).deletingLastPathComponent
            while parent.count >= self.root.root.count {
                var parentInfo = stat()
                if lstat(parent, &parentInfo) == 0 {
                    parentTimes[parent] = [parentInfo.st_atim, parentInfo.st_mtim]
                    break
                }
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
        missing.sort { $0.count > $1.count }
    }

    /// Removes each recorded stub that is still an empty file or directory (the command may
    /// have made it its own), then its parents' times.
    func removeCreated() {
        for host in missing {
            var info = stat()
            guard lstat(host, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG where info.st_size == 0: unlink(host)
            case S_IFDIR: rmdir(host)
            default: continue
            }
            // Directories the runtime made on the way down (e.g. /dev for /dev/pts) go too, if empty.
            var parent = (host as NSString).deletingLastPathComponent
            while parent.count > root.root.count, parentTimes[parent] == nil, rmdir(parent) == 0 {
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
        for (path, times) in parentTimes {
            var times = times
            _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
        }
    }
}
