import Foundation
import HoistStore

/// Where a container's cgroup goes, if anywhere. Root's containers get `/hoist/ID`, as runc
/// places them. A rootless session may only use a cgroup v2 subtree delegated to the user
/// (systemd gives one with `Delegate=yes`): its containers go below the session's own cgroup
/// there, and without one they get no cgroup at all — and so no resource limits.
enum CgroupPlacement {
    /// The cgroup path for container `id`, or nil when it gets none.
    static func path(for id: String) -> String? {
        guard HostUser.isRootless else { return "/hoist/\(id)" }
        return delegatedParent.map { $0 + "/hoist-\(id)" }
    }

    /// Whether limits can be set here.
    static var limitsAvailable: Bool { !HostUser.isRootless || delegatedParent != nil }

    /// This process's cgroup v2 path when the host is cgroup v2 only and the user may make
    /// cgroups below it; nil otherwise.
    static let delegatedParent: String? = {
        guard FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"),
            let membership = ProcFile.read("/proc/self/cgroup"),
            let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
        else { return nil }
        let own = String(line.dropFirst(3))
        return access("/sys/fs/cgroup" + own, W_OK) == 0 ? own : nil
    }()
}
