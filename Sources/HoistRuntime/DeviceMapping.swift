#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A host device node given to a container, as `docker run --device HOST[:CONTAINER][:PERMISSIONS]`
/// gives it: the node made at the container's path and the device cgroup opened to it.
public struct DeviceMapping: Sendable, Hashable, Codable {
    public var hostPath: String
    public var containerPath: String
    /// Any of `r`, `w` and `m` (mknod), as the device cgroup takes them.
    public var permissions: String

    public init(hostPath: String, containerPath: String? = nil, permissions: String = "rwm") {
        self.hostPath = hostPath
        self.containerPath = containerPath ?? hostPath
        self.permissions = permissions
    }

    /// `HOST`, `HOST:CONTAINER`, `HOST:PERMISSIONS` or `HOST:CONTAINER:PERMISSIONS`, as Docker reads it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func isPermissions(_ part: String) -> Bool { !part.isEmpty && part.allSatisfy { "rwm".contains($0) } }
        switch parts.count {
        case 1: self.init(hostPath: parts[0])
        case 2 where isPermissions(parts[1]): self.init(hostPath: parts[0], permissions: parts[1])
        case 2: self.init(hostPath: parts[0], containerPath: parts[1])
        case 3 where isPermissions(parts[2]): self.init(hostPath: parts[0], containerPath: parts[1], permissions: parts[2])
        default: throw RuntimeError(.invalidArgument, "invalid device specification: \(text)")
        }
        guard hostPath.hasPrefix("/"), containerPath.hasPrefix("/") else {
            throw RuntimeError(.invalidArgument, "invalid device specification: \(text): paths must be absolute")
        }
    }

    /// The node and the cgroup rule for it; `notFound` when the host has no such device node.
    func resolve() throws -> (device: RuntimeSpec.Device, rule: RuntimeSpec.DeviceRule) {
        var status = stat()
        guard stat(hostPath, &status) == 0 else {
            throw RuntimeError(.notFound, "error gathering device information while adding custom device \"\(hostPath)\": no such file or directory")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFCHR || kind == S_IFBLK else {
            throw RuntimeError(.invalidArgument, "\(hostPath) is not a device node")
        }
        let number = UInt64(status.st_rdev)
        let major = Int64(((number >> 32) & 0xffff_f000) | ((number >> 8) & 0xfff))
        let minor = Int64(((number >> 12) & 0xffff_ff00) | (number & 0xff))
        let type = kind == S_IFCHR ? "c" : "b"
        return (
            RuntimeSpec.Device(
                path: containerPath, type: type, major: major, minor: minor, fileMode: UInt32(status.st_mode & 0o7777),
                uid: status.st_uid, gid: status.st_gid),
            RuntimeSpec.DeviceRule(allow: true, type: type, major: major, minor: minor, access: permissions)
        )
    }
}
