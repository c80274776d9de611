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
    /// `port/proto` → `{}`: the ports published or exposed (`-p` sets them as Docker's CLI does).
    public var exposedPorts: [String: EmptyObject]?
    /// `--stop-signal`, `--stop-timeout`.
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var hostConfig: HostConfig
    /// The network endpoint's settings (`--ip`, `--network-alias`), by network name.
    public var networkingConfig: NetworkingConfig?

    /// `{}` in the Engine's maps of names to nothing.
    public struct EmptyObject: Sendable, Hashable, Codable {
        public init() {}
    }

    /// `NetworkingConfig`: endpoint settings by network name.
    public struct NetworkingConfig: Sendable, Hashable, Codable {
        public var endpointsConfig: [String: Endpoint]

        public struct Endpoint: Sendable, Hashable, Codable {
            public var ipamConfig: IPAMConfig?
            public var aliases: [String]?

            public struct IPAMConfig: Sendable, Hashable, Codable {
                public var ipv4Address: String
                public init(ipv4Address: String) { self.ipv4Address = ipv4Address }
                enum CodingKeys: String, CodingKey { case ipv4Address = "IPv4Address" }
            }

            public init(ipamConfig: IPAMConfig? = nil, aliases: [String]? = nil) {
                self.ipamConfig = ipamConfig
                self.aliases = aliases
            }

            enum CodingKeys: String, CodingKey { case ipamConfig = "IPAMConfig", aliases = "Aliases" }
        }

        public init(endpointsConfig: [String: Endpoint]) { self.endpointsConfig = endpointsConfig }
        enum CodingKeys: String, CodingKey { case endpointsConfig = "EndpointsConfig" }
    }

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
        /// `port/proto` → the host addresses and ports it is published on (`-p`).
        public var portBindings: [String: [PortBinding]]?
        /// `-P`.
        public var publishAllPorts: Bool?
        /// `--add-host`: `name:address`.
        public var extraHosts: [String]?
        /// `--dns`, `--dns-search`, `--dns-option`.
        public var dns: [String]?
        public var dnsSearch: [String]?
        public var dnsOptions: [String]?
        /// `--init`: the daemon's init as PID 1.
        public var `init`: Bool?
        /// `--mount type=bind`.
        public var mounts: [Mount]?
        /// `--ulimit`.
        public var ulimits: [Ulimit]?
        /// `--shm-size` in bytes.
        public var shmSize: Int64?
        /// `--device`.
        public var devices: [Device]?
        /// `--restart`.
        public var restartPolicy: RestartPolicy?

        public struct PortBinding: Sendable, Hashable, Codable {
            public var hostIp: String
            /// Empty: a free port.
            public var hostPort: String
            public init(hostIp: String, hostPort: String) {
                self.hostIp = hostIp
                self.hostPort = hostPort
            }
            enum CodingKeys: String, CodingKey { case hostIp = "HostIp", hostPort = "HostPort" }
        }

        public struct Mount: Sendable, Hashable, Codable {
            /// `bind` or `volume`.
            public var type: String
            public var source: String
            public var target: String
            public var readOnly: Bool?
            public init(type: String, source: String, target: String, readOnly: Bool?) {
                self.type = type
                self.source = source
                self.target = target
                self.readOnly = readOnly
            }
            enum CodingKeys: String, CodingKey { case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly" }
        }

        public struct Ulimit: Sendable, Hashable, Codable {
            public var name: String
            public var soft: Int64
            public var hard: Int64
            public init(name: String, soft: Int64, hard: Int64) {
                self.name = name
                self.soft = soft
                self.hard = hard
            }
            enum CodingKeys: String, CodingKey { case name = "Name", soft = "Soft", hard = "Hard" }
        }

        public struct Device: Sendable, Hashable, Codable {
            public var pathOnHost: String
            public var pathInContainer: String
            public var cgroupPermissions: String
            public init(pathOnHost: String, pathInContainer: String, cgroupPermissions: String) {
                self.pathOnHost = pathOnHost
                self.pathInContainer = pathInContainer
                self.cgroupPermissions = cgroupPermissions
            }
            enum CodingKeys: String, CodingKey {
                case pathOnHost = "PathOnHost", pathInContainer = "PathInContainer", cgroupPermissions = "CgroupPermissions"
            }
        }

        public struct RestartPolicy: Sendable, Hashable, Codable {
            /// `no`, `always`, `unless-stopped` or `on-failure`.
            public var name: String
            public var maximumRetryCount: Int?
            public init(name: String, maximumRetryCount: Int? = nil) {
                self.name = name
                self.maximumRetryCount = maximumRetryCount
            }
            enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }
        }

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
            case portBindings = "PortBindings", publishAllPorts = "PublishAllPorts", extraHosts = "ExtraHosts", dns = "Dns"
            case dnsSearch = "DnsSearch", dnsOptions = "DnsOptions", `init` = "Init", mounts = "Mounts", ulimits = "Ulimits"
            case shmSize = "ShmSize", devices = "Devices", restartPolicy = "RestartPolicy"
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
        case exposedPorts = "ExposedPorts", stopSignal = "StopSignal", stopTimeout = "StopTimeout"
        case hostConfig = "HostConfig", networkingConfig = "NetworkingConfig"
    }
}
