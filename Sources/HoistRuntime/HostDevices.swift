#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// The host's device nodes, as Docker gives them to a privileged container: every character
/// and block device under `/dev`, but for the pseudo-terminal, shared-memory and message-queue
/// file systems a container mounts its own of.
enum HostDevices {
    static func list(under root: String = "/dev") -> [RuntimeSpec.Device] {
        var devices: [RuntimeSpec.Device] = []
        walk(root, into: &devices)
        return devices.sorted { $0.path < $1.path }
    }

    private static func walk(_ directory: String, into devices: inout [RuntimeSpec.Device]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            let path = directory + "/" + name
            if ["/dev/pts", "/dev/shm", "/dev/mqueue"].contains(path) { continue }
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, into: &devices)
            case S_IFCHR, S_IFBLK:
                let device = UInt64(status.st_rdev)
                let major = Int64(((device >> 32) & 0xffff_f000) | ((device >> 8) & 0xfff))
                let minor = Int64(((device >> 12) & 0xffff_ff00) | (device & 0xff))
                devices.append(RuntimeSpec.Device(
                    path: path, type: status.st_mode & S_IFMT == S_IFCHR ? "c" : "b", major: major, minor: minor,
                    fileMode: UInt32(status.st_mode & 0o7777), uid: status.st_uid, gid: status.st_gid))
            default:
                continue
            }
        }
    }
}
