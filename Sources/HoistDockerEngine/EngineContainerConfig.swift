/// What `POST /containers/create` is given: the container's config and its host config, named
/// as the Engine API names them.
public struct EngineContainerConfig: Sendable, Hashable, Codable {
    public var image: String
    /// Replaces the image's CMD when set.
    public var cmd: [String]?
    /// Replaces the image's ENTRYPOINT when set (empty clears it).
    public var entrypoint: [String]?
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    public var tty: Bool?
    public var labels: [String: String]?
    public var hostConfig: HostConfig

    /// The part that concerns the host: mounts, network, limits, capabilities.
    public struct HostConfig: Sendable, Hashable, Codable {
        /// `host:container[:ro]`.
        public var binds: [String]?
        /// `none`, `host`, `bridge` …
        public var networkMode: String?
        public var memory: Int64?
        /// CPUs in billionths.
        public var nanoCpus: Int64?
        public var pidsLimit: Int64?
        public var capAdd: [String]?
        public var capDrop: [String]?
        public var readonlyRootfs: Bool?
        public var autoRemove: Bool?

        public init(binds: [String]? = nil, networkMode: String? = "none", memory: Int64? = nil, nanoCpus: Int64? = nil,
                    pidsLimit: Int64? = nil, capAdd: [String]? = nil, capDrop: [String]? = nil, readonlyRootfs: Bool? = nil,
                    autoRemove: Bool? = nil) {
            self.binds = binds
            self.networkMode = networkMode
            self.memory = memory
            self.nanoCpus = nanoCpus
            self.pidsLimit = pidsLimit
            self.capAdd = capAdd
            self.capDrop = capDrop
            self.readonlyRootfs = readonlyRootfs
            self.autoRemove = autoRemove
        }

        enum CodingKeys: String, CodingKey {
            case binds = "Binds", networkMode = "NetworkMode", memory = "Memory", nanoCpus = "NanoCpus", pidsLimit = "PidsLimit"
            case capAdd = "CapAdd", capDrop = "CapDrop", readonlyRootfs = "ReadonlyRootfs", autoRemove = "AutoRemove"
        }
    }

    public init(image: String, cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil, workingDir: String? = nil,
                user: String? = nil, tty: Bool? = nil, labels: [String: String]? = nil, hostConfig: HostConfig = HostConfig()) {
        self.image = image
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.tty = tty
        self.labels = labels
        self.hostConfig = hostConfig
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", entrypoint = "Entrypoint", env = "Env", workingDir = "WorkingDir", user = "User"
        case tty = "Tty", labels = "Labels", hostConfig = "HostConfig"
    }
}
