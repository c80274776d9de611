/// What a container or a build step's RUN asks for, before it is turned into a
/// ``RuntimeSpec`` by ``RuntimeSpecBuilder`` against the container's root file system.
public struct ContainerSettings: Sendable, Hashable, Codable {
    /// The command and its arguments.
    public var arguments: [String]
    /// `NAME=value` pairs; a PATH is added when none is given.
    public var environment: [String]
    /// The working directory (created when missing); relative paths are taken from `/`.
    public var workingDirectory: String
    /// `name`, `uid`, `uid:gid`, `name:group` or `uid:group`, looked up in the root file
    /// system's /etc/passwd and /etc/group; nil or empty runs as root.
    public var user: String?
    /// Extra groups by name or number (`--group-add`).
    public var additionalGroups: [String]
    public var hostname: String
    public var network: NetworkMode
    /// Mounts beyond the defaults.
    public var mounts: [ContainerMount]
    public var resources: ResourceLimits
    /// Capabilities added to and dropped from Docker's default set (`CHOWN` or `CAP_CHOWN`,
    /// `ALL`).
    public var capabilitiesAdded: [String]
    public var capabilitiesDropped: [String]
    /// Mount the root file system read-only.
    public var readOnlyRootFilesystem: Bool
    /// Give the process a pseudo-terminal (`-t`) instead of pipes.
    public var terminal: Bool = false
    /// `--add-host`, `--dns…`, and read-only name files for RUN steps.
    public var nameResolution = NameResolution()
    /// How the container is confined beyond capabilities: its system call filter, whether it
    /// may gain privileges, its AppArmor profile. Nil is Docker's default confinement.
    public var security: SecurityOptions?
    /// `--privileged`: every capability, no seccomp filter or AppArmor profile, no masked
    /// paths, /sys writable and the host's devices, as Docker gives it.
    public var privileged: Bool?
    /// Whether the user's primary group is also one of its supplementary groups: Docker's rule
    /// for containers (nil counts as true); BuildKit's RUN steps leave it out.
    public var primaryGroupIsSupplementary: Bool?

    public init(
        arguments: [String], environment: [String] = [], workingDirectory: String = "/", user: String? = nil,
        additionalGroups: [String] = [], hostname: String = "hoist", network: NetworkMode = .none,
        mounts: [ContainerMount] = [], resources: ResourceLimits = ResourceLimits(), capabilitiesAdded: [String] = [],
        capabilitiesDropped: [String] = [], readOnlyRootFilesystem: Bool = false
    ) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.additionalGroups = additionalGroups
        self.hostname = hostname
        self.network = network
        self.mounts = mounts
        self.resources = resources
        self.capabilitiesAdded = capabilitiesAdded
        self.capabilitiesDropped = capabilitiesDropped
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
    }
}

extension ContainerSettings {
    private enum CodingKeys: String, CodingKey {
        case arguments, environment, workingDirectory, user, additionalGroups, hostname, network, mounts, resources
        case capabilitiesAdded, capabilitiesDropped, readOnlyRootFilesystem, terminal, nameResolution
        case security, privileged, primaryGroupIsSupplementary
    }

    /// Reads settings stored by earlier versions too, which had no terminal, name resolution
    /// or security options.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            arguments: try container.decode([String].self, forKey: .arguments),
            environment: try container.decode([String].self, forKey: .environment),
            workingDirectory: try container.decode(String.self, forKey: .workingDirectory),
            user: try container.decodeIfPresent(String.self, forKey: .user),
            additionalGroups: try container.decode([String].self, forKey: .additionalGroups),
            hostname: try container.decode(String.self, forKey: .hostname),
            network: try container.decode(NetworkMode.self, forKey: .network),
            mounts: try container.decode([ContainerMount].self, forKey: .mounts),
            resources: try container.decode(ResourceLimits.self, forKey: .resources),
            capabilitiesAdded: try container.decode([String].self, forKey: .capabilitiesAdded),
            capabilitiesDropped: try container.decode([String].self, forKey: .capabilitiesDropped),
            readOnlyRootFilesystem: try container.decode(Bool.self, forKey: .readOnlyRootFilesystem))
        terminal = try container.decodeIfPresent(Bool.self, forKey: .terminal) ?? false
        nameResolution = try container.decodeIfPresent(NameResolution.self, forKey: .nameResolution) ?? NameResolution()
        security = try container.decodeIfPresent(SecurityOptions.self, forKey: .security)
        privileged = try container.decodeIfPresent(Bool.self, forKey: .privileged)
        primaryGroupIsSupplementary = try container.decodeIfPresent(Bool.self, forKey: .primaryGroupIsSupplementary)
    }
}

/// The network a container sees.
public enum NetworkMode: Sendable, Hashable, Codable {
    /// A network namespace of its own with only the loopback interface.
    case none
    /// The host's network namespace.
    case host
    /// The network namespace bound at this path, prepared beforehand (a CNI attachment's, see
    /// ``ContainerNetworking``): the container joins it instead of making one.
    case namespace(String)

    /// `"none"`, `"host"`, or `{"namespace": PATH}`: the first two as earlier versions wrote them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            switch text {
            case "none": self = .none
            case "host": self = .host
            default: throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown network mode \(text)")
            }
        } else {
            self = .namespace(try container.decode([String: String].self)["namespace"] ?? "")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .none: try container.encode("none")
        case .host: try container.encode("host")
        case .namespace(let path): try container.encode(["namespace": path])
        }
    }
}

/// A mount a caller adds to a container.
public enum ContainerMount: Sendable, Hashable, Codable {
    /// The host path `source` at `destination`, writable unless `readOnly`.
    case bind(source: String, destination: String, readOnly: Bool)
    /// An empty tmpfs at `destination`, of at most `sizeBytes` when given.
    case tmpfs(destination: String, sizeBytes: Int64?)

    public var destination: String {
        switch self {
        case .bind(_, let destination, _), .tmpfs(let destination, _): destination
        }
    }
}

/// cgroup limits; nil leaves a resource unlimited.
public struct ResourceLimits: Sendable, Hashable, Codable {
    /// Memory in bytes (`--memory`).
    public var memoryBytes: Int64?
    /// Memory plus swap in bytes (`--memory-swap`); -1 is unlimited swap. Docker's default
    /// when only memory is set is twice the memory.
    public var memorySwapBytes: Int64?
    /// CPU time per period in microseconds (`--cpu-quota`), e.g. 50000 of 100000 for half a CPU.
    public var cpuQuota: Int64?
    /// The CPU period in microseconds (`--cpu-period`, default 100000 when a quota is set).
    public var cpuPeriod: UInt64?
    /// The most processes (`--pids-limit`).
    public var pidsLimit: Int64?

    public init(
        memoryBytes: Int64? = nil, memorySwapBytes: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil,
        pidsLimit: Int64? = nil
    ) {
        self.memoryBytes = memoryBytes
        self.memorySwapBytes = memorySwapBytes
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.pidsLimit = pidsLimit
    }
}
