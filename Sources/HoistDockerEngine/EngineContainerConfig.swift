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
    public var hostname: String?
    public var tty: Bool?
    /// Keep the container's standard input open for an attach (``EngineClient/attach(_:standardInput:output:whenAttached:)``).
    public var openStdin: Bool?
    /// Close the container's standard input when the attached client closes its side.
    public var stdinOnce: Bool?
    public var attachStdin: Bool?
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
        /// tmpfs mounts: destination → mount options (`size=65536`, or empty).
        public var tmpfs: [String: String]?
        /// Every capability and no confinement.
        public var privileged: Bool?
        /// `--security-opt` values; a seccomp profile is sent as its JSON (`seccomp={…}`).
        public var securityOpt: [String]?
        /// The log driver (`none` keeps no logs: for a container whose output is attached to).
        public var logConfig: LogConfig?

        public struct LogConfig: Sendable, Hashable, Codable {
            public var type: String
            public init(type: String) { self.type = type }
            enum CodingKeys: String, CodingKey { case type = "Type" }
        }

        public init(binds: [String]? = nil, networkMode: String? = "none", memory: Int64? = nil, nanoCpus: Int64? = nil,
                    pidsLimit: Int64? = nil, capAdd: [String]? = nil, capDrop: [String]? = nil, readonlyRootfs: Bool? = nil,
                    autoRemove: Bool? = nil, tmpfs: [String: String]? = nil, privileged: Bool? = nil, logConfig: LogConfig? = nil,
                    securityOpt: [String]? = nil) {
            self.binds = binds
            self.networkMode = networkMode
            self.memory = memory
            self.nanoCpus = nanoCpus
            self.pidsLimit = pidsLimit
            self.capAdd = capAdd
            self.capDrop = capDrop
            self.readonlyRootfs = readonlyRootfs
            self.autoRemove = autoRemove
            self.tmpfs = tmpfs
            self.privileged = privileged
            self.logConfig = logConfig
            self.securityOpt = securityOpt
        }

        enum CodingKeys: String, CodingKey {
            case binds = "Binds", networkMode = "NetworkMode", memory = "Memory", nanoCpus = "NanoCpus", pidsLimit = "PidsLimit"
            case capAdd = "CapAdd", capDrop = "CapDrop", readonlyRootfs = "ReadonlyRootfs", autoRemove = "AutoRemove"
            case tmpfs = "Tmpfs", privileged = "Privileged", logConfig = "LogConfig", securityOpt = "SecurityOpt"
        }
    }

    public init(image: String, cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil, workingDir: String? = nil,
                user: String? = nil, tty: Bool? = nil, standardInput: Bool = false, labels: [String: String]? = nil,
                hostConfig: HostConfig = HostConfig(), hostname: String? = nil) {
        self.image = image
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.tty = tty
        if standardInput {
            openStdin = true
            stdinOnce = true
            attachStdin = true
        }
        self.labels = labels
        self.hostConfig = hostConfig
        self.hostname = hostname
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", entrypoint = "Entrypoint", env = "Env", workingDir = "WorkingDir", user = "User"
        case hostname = "Hostname"
        case tty = "Tty", openStdin = "OpenStdin", stdinOnce = "StdinOnce", attachStdin = "AttachStdin", labels = "Labels"
        case hostConfig = "HostConfig"
    }
}
