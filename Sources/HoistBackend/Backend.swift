/// What builds images and runs containers for a ``Client``.
public enum Backend: String, Sendable, Hashable, CaseIterable, Codable {
    /// Hoist's own store, snapshots and an OCI runtime (runc or crun): no daemon.
    case native
    /// A Docker Engine, through its API.
    case docker
    /// A containerd daemon.
    case containerd
    /// Not a backend but a choice: the first that passes a real health check — Docker
    /// (answering `_ping`), then containerd (answering `Version`), then native (root or a
    /// rootless session, and an OCI runtime) — made by ``Client/connect(root:backend:)``. A
    /// client's ``Client/backend`` is never this.
    case automatic = "auto"

    /// The backends ``automatic`` tries, in its order.
    public static let automaticOrder: [Backend] = [.docker, .containerd, .native]
}

/// Something a backend can do, for callers that adapt to what they get.
public enum BackendCapability: String, Sendable, Hashable, CaseIterable, Codable {
    case build, run, keptContainers, exec, copy, commit, pull, push, resourceLimits, terminal, overlaySnapshots
    /// `images --filter` and `image prune --filter`.
    case imageFilters
    /// `save`: images written to an archive file.
    case imageArchives
}

/// A backend as ``Client/availableBackends(root:)`` reports it.
public struct BackendStatus: Sendable, Hashable, Codable {
    public var backend: Backend
    /// Whether a ``Client`` can use it on this machine now.
    public var isAvailable: Bool
    /// Why not, when it is not.
    public var reason: String?
    /// What it can do here (empty when unavailable).
    public var capabilities: Set<BackendCapability>
    /// How it runs here and why, when that matters (`rootless: …`).
    public var mode: String? = nil

    package init(backend: Backend, isAvailable: Bool, reason: String? = nil, capabilities: Set<BackendCapability>, mode: String? = nil) {
        self.backend = backend
        self.isAvailable = isAvailable
        self.reason = reason
        self.capabilities = capabilities
        self.mode = mode
    }
}
