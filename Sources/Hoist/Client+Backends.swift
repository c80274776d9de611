#if canImport(Glibc)
    import Glibc
#endif
import Foundation
public import HoistStore
import HoistContainerd
import HoistDockerEngine
import HoistRuntime

extension Client {
    /// Every backend and whether it can be used here, with what it can do: each verdict from a
    /// real health check — Docker must answer `_ping`, containerd `Version`; native needs root
    /// (or an unprivileged user's rootless session) and runc or crun.
    ///
    /// `docker` is where `DOCKER_HOST` (default `/var/run/docker.sock`) says; `containerd`
    /// where `CONTAINERD_ADDRESS` (default `/run/containerd/containerd.sock`) says, and needs
    /// root to mount its snapshots, as it builds with the native engine.
    public static func availableBackends(root: StoreRoot = .default()) async -> [BackendStatus] {
        [nativeStatus(root: root), await dockerStatus(), await containerdStatus()]
    }

    /// `backend`'s verdict, from a real health check (see ``availableBackends(root:)``); for
    /// ``Backend/automatic``, the verdict of the backend it would choose, or of native.
    public static func status(of backend: Backend, root: StoreRoot = .default()) async -> BackendStatus {
        switch backend {
        case .native: nativeStatus(root: root)
        case .docker: await dockerStatus()
        case .containerd: await containerdStatus()
        case .automatic: await automaticChoice(root: root).chosen ?? nativeStatus(root: root)
        }
    }

    /// A client of `backend` on the store at `root`, once the backend passed a real health
    /// check. With ``Backend/automatic`` (the default) the first of docker, containerd and
    /// native that passes is used. Throws `unavailable` naming why each backend tried was
    /// refused.
    public static func connect(root: StoreRoot = .default(), backend: Backend = .automatic) async throws -> Client {
        if backend != .automatic {
            let status = await status(of: backend, root: root)
            guard status.isAvailable else {
                throw ClientError(.unavailable, "the \(backend.rawValue) backend cannot be used: \(status.reason ?? "unavailable")")
            }
            return try Client(root: root, backend: backend)
        }
        let (chosen, refused) = await automaticChoice(root: root)
        guard let chosen else {
            let reasons = refused.map { "\($0.backend.rawValue): \($0.reason ?? "unavailable")" }
            throw ClientError(.unavailable, "no backend can be used here — " + reasons.joined(separator: "; "))
        }
        return try Client(root: root, backend: chosen.backend)
    }

    /// What ``Backend/automatic`` picks: the first backend of ``Backend/automaticOrder`` that
    /// passes, and the verdicts of those refused before it.
    private static func automaticChoice(root: StoreRoot) async -> (chosen: BackendStatus?, refused: [BackendStatus]) {
        var refused: [BackendStatus] = []
        for backend in Backend.automaticOrder {
            let status = await status(of: backend, root: root)
            if status.isAvailable { return (status, refused) }
            refused.append(status)
        }
        return (nil, refused)
    }

    /// What this client's backend can do here.
    public var capabilities: Set<BackendCapability> {
        Self.capabilities(of: backend, root: store.root)
    }

    /// What `backend` can do on this host when it can be used at all.
    static func capabilities(of backend: Backend, root: StoreRoot) -> Set<BackendCapability> {
        switch backend {
        case .native:
            var capabilities: Set<BackendCapability> = [
                .pull, .push, .build, .run, .keptContainers, .exec, .copy, .commit, .terminal, .imageFilters, .imageArchives,
            ]
            if !HostUser.isRootless { capabilities.insert(.resourceLimits) }
            if let store = try? Store(root: root), let snapshotter = try? store.snapshotter(), snapshotter.name == "overlay" {
                capabilities.insert(.overlaySnapshots)
            }
            return capabilities
        case .docker:
            // What it does not do yet (terminals) is left out.
            return [.build, .run, .keptContainers, .exec, .copy, .commit, .pull, .push, .resourceLimits, .imageFilters, .imageArchives]
        case .containerd:
            return [.build, .run, .keptContainers, .exec, .pull, .resourceLimits, .overlaySnapshots]
        case .automatic:
            return []
        }
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
        return BackendStatus(
            backend: .native, isAvailable: reasons.isEmpty, reason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
            capabilities: reasons.isEmpty ? capabilities(of: .native, root: root) : [], mode: mode)
    }

    /// How long a daemon has to answer a health check: long enough for a loaded machine.
    private static let healthCheckSeconds: Int64 = 15

    /// The Docker Engine the environment names, when it answers `_ping` within a few seconds.
    /// Builds run Hoist's engine with the daemon's containers as the steps' worker; pull and
    /// push go through the daemon.
    private static func dockerStatus() async -> BackendStatus {
        do {
            let host = try DockerHost.fromEnvironment()
            do {
                let engine = try await EngineClient.connect(host, timeout: .seconds(healthCheckSeconds))
                try? await engine.shutdown()
            } catch {
                return BackendStatus(backend: .docker, isAvailable: false, reason: "no Docker daemon answers at \(host): \(error)", capabilities: [])
            }
        } catch {
            return BackendStatus(backend: .docker, isAvailable: false, reason: "\(error)", capabilities: [])
        }
        return BackendStatus(backend: .docker, isAvailable: true, reason: nil, capabilities: capabilities(of: .docker, root: .default()))
    }

    /// The containerd the environment names, when it answers `Version` within a few seconds
    /// and this process may mount its snapshots. It pulls and builds with Hoist's own registry
    /// client and engine, then copies images in.
    private static func containerdStatus() async -> BackendStatus {
        let address = ContainerdAddress.fromEnvironment()
        var reasons: [String] = []
        do {
            let daemon = try ContainerdClient(address)
            defer { daemon.close() }
            _ = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await daemon.version() }
                group.addTask {
                    try await Task.sleep(for: .seconds(healthCheckSeconds))
                    throw ClientError(.unavailable, "containerd at \(address.socketPath) did not answer within \(healthCheckSeconds) seconds")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            reasons.append("\(error)")
        }
        if geteuid() != 0 { reasons.append("mounting containerd's snapshots needs root") }
        guard reasons.isEmpty else {
            return BackendStatus(backend: .containerd, isAvailable: false, reason: reasons.joined(separator: "; "), capabilities: [])
        }
        return BackendStatus(backend: .containerd, isAvailable: true, reason: nil, capabilities: capabilities(of: .containerd, root: .default()))
    }

    /// Why `backend` cannot be used, found without contacting it (a socket file that is not
    /// there or not this process's to use), or nil: what opening a client checks, to fail in
    /// one line before anything is done.
    static func quickProblem(_ backend: Backend) -> String? {
        switch backend {
        case .native, .automatic:
            return nil
        case .docker:
            do {
                let host = try DockerHost.fromEnvironment()
                return host.connectionProblem().map { "no Docker daemon at \(host): \($0)" }
            } catch {
                return "\(error)"
            }
        case .containerd:
            var reasons: [String] = []
            if let problem = ContainerdAddress.fromEnvironment().socketProblem() { reasons.append(problem) }
            if geteuid() != 0 { reasons.append("mounting containerd's snapshots needs root") }
            return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        }
    }
}
