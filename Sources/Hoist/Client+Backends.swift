#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistStore
import HoistContainerd
import HoistDockerEngine
import HoistRuntime

extension Client {
    /// Every backend and whether it can be used here, with what it can do.
    ///
    /// `native` needs root (for overlay mounts and cgroups) and runc or crun; without overlayfs
    /// it still works, copying snapshots instead. `docker` needs a Docker Engine where
    /// `DOCKER_HOST` (default `/var/run/docker.sock`) says; `containerd` needs a containerd
    /// where `CONTAINERD_ADDRESS` (default `/run/containerd/containerd.sock`) says, and root to
    /// mount its snapshots, as it builds with the native engine.
    public static func availableBackends(root: StoreRoot = .default()) -> [BackendStatus] {
        [nativeStatus(root: root), dockerStatus(), containerdStatus()]
    }

    /// What this client's backend can do here.
    public var capabilities: Set<BackendCapability> {
        Self.availableBackends(root: store.root).first { $0.backend == backend }?.capabilities ?? []
    }

    private static func nativeStatus(root: StoreRoot) -> BackendStatus {
        let runtimes = [try? OCIRuntime.crun(), try? OCIRuntime.runc()].compactMap { $0 }
        var reasons: [String] = []
        if runtimes.isEmpty { reasons.append("neither runc nor crun is installed") }
        var mode: String?
        if HostUser.isRootless {
            // An unprivileged user works in the rootless session: say whether it can be made.
            do {
                let range = try RootlessSession.requirements()
                mode = "rootless: user \(HostUser.id) as root of a user namespace with subordinate ids \(range); "
                    + "resource limits need a delegated cgroup v2 subtree, which this host does not give"
            } catch {
                reasons.append("\(error)")
            }
        }
        var capabilities: Set<BackendCapability> = [.pull, .push]
        if reasons.isEmpty {
            capabilities.formUnion([.build, .run, .keptContainers, .exec, .copy, .commit, .terminal])
            if !HostUser.isRootless { capabilities.insert(.resourceLimits) }
            if let store = try? Store(root: root), let snapshotter = try? store.snapshotter(), snapshotter.name == "overlay" {
                capabilities.insert(.overlaySnapshots)
            }
        }
        return BackendStatus(
            backend: .native, isAvailable: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            capabilities: reasons.isEmpty ? capabilities : [], mode: mode)
    }

    /// The Docker Engine the environment names, when it accepts connections. Builds run Hoist's
    /// engine with the daemon's containers as the steps' worker (or the daemon's own builder,
    /// delegated); pull and push go through the daemon. What it does not do yet (terminals) is
    /// left out of its capabilities.
    private static func dockerStatus() -> BackendStatus {
        let host: DockerHost
        do {
            host = try DockerHost.fromEnvironment()
        } catch {
            return BackendStatus(backend: .docker, isAvailable: false, reason: "\(error)", capabilities: [])
        }
        if let problem = host.connectionProblem() {
            return BackendStatus(backend: .docker, isAvailable: false, reason: "no Docker daemon at \(host): \(problem)", capabilities: [])
        }
        return BackendStatus(
            backend: .docker, isAvailable: true, reason: nil,
            capabilities: [.build, .run, .keptContainers, .exec, .copy, .commit, .pull, .push, .resourceLimits])
    }

    /// The containerd the environment names, when this process may use its socket. It pulls
    /// and builds with Hoist's own registry client and engine, then copies images in.
    private static func containerdStatus() -> BackendStatus {
        let address = ContainerdAddress.fromEnvironment()
        var reasons: [String] = []
        if let problem = address.socketProblem() { reasons.append(problem) }
        if geteuid() != 0 { reasons.append("mounting containerd's snapshots needs root") }
        guard reasons.isEmpty else {
            return BackendStatus(backend: .containerd, isAvailable: false, reason: reasons.joined(separator: "; "), capabilities: [])
        }
        return BackendStatus(
            backend: .containerd, isAvailable: true, reason: nil,
            capabilities: [.build, .run, .keptContainers, .exec, .pull, .resourceLimits, .overlaySnapshots])
    }
}
