#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistStore
import HoistRuntime

extension Client {
    /// Every backend and whether it can be used here, with what it can do.
    ///
    /// `native` needs root (for overlay mounts and cgroups) and runc or crun; without overlayfs
    /// it still works, copying snapshots instead. `docker` and `containerd` are reported with
    /// whether their daemon's socket is there, and are not usable from this version yet.
    public static func availableBackends(root: StoreRoot = .default()) -> [BackendStatus] {
        [nativeStatus(root: root), daemonStatus(.docker), daemonStatus(.containerd)]
    }

    /// What this client's backend can do here.
    public var capabilities: Set<BackendCapability> {
        Self.availableBackends(root: store.root).first { $0.backend == backend }?.capabilities ?? []
    }

    private static func nativeStatus(root: StoreRoot) -> BackendStatus {
        let runtimes = [try? OCIRuntime.crun(), try? OCIRuntime.runc()].compactMap { $0 }
        var reasons: [String] = []
        if runtimes.isEmpty { reasons.append("neither runc nor crun is installed") }
        if geteuid() != 0 { reasons.append("running containers and build steps needs root") }
        var capabilities: Set<BackendCapability> = [.pull, .push]
        if reasons.isEmpty {
            capabilities.formUnion([.build, .run, .keptContainers, .exec, .copy, .commit, .resourceLimits, .terminal])
            if let store = try? Store(root: root), let snapshotter = try? store.snapshotter(), snapshotter.name == "overlay" {
                capabilities.insert(.overlaySnapshots)
            }
        }
        return BackendStatus(
            backend: .native, isAvailable: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            capabilities: reasons.isEmpty ? capabilities : [])
    }

    private static func daemonStatus(_ backend: Backend) -> BackendStatus {
        let environment = ProcessInfo.processInfo.environment
        let socket: String = switch backend {
        case .docker:
            environment["DOCKER_HOST"].flatMap { $0.hasPrefix("unix://") ? String($0.dropFirst(7)) : nil } ?? "/var/run/docker.sock"
        default:
            "/run/containerd/containerd.sock"
        }
        let daemon = FileManager.default.fileExists(atPath: socket) ? "its daemon listens at \(socket)" : "no daemon at \(socket)"
        return BackendStatus(
            backend: backend, isAvailable: false, reason: "this version of Hoist does not drive \(backend.rawValue) yet (\(daemon))",
            capabilities: [])
    }
}
