public import HoistOCI

/// Runs a command on a root filesystem, as `RUN` does.
public struct ExecOp: Sendable, Hashable, Codable {
    /// The command, exec form.
    public var arguments: [String]
    /// `NAME=value` entries.
    public var environment: [String]
    /// The working directory inside the container.
    public var workingDirectory: String
    /// The user (`name`, `uid`, `uid:gid`, `name:group`); empty means root.
    public var user: String
    /// The network the command sees.
    public var network: NetworkMode
    /// Whether the command runs with every capability (`RUN --security=insecure`).
    public var insecure: Bool
    /// The mounts; the one at `/` is the root filesystem and the op's output.
    public var mounts: [ExecMount]
    /// The platform the command's programs are for, when it is not the host's: the worker runs
    /// it through the kernel's binfmt_misc emulation, or refuses it before it starts. Nil (the
    /// host's) is left out of the definition, so a build for the host's platform keeps the
    /// cache keys of one that does not name it.
    public var platform: Platform?

    public init(arguments: [String], environment: [String] = [], workingDirectory: String = "/", user: String = "",
                network: NetworkMode = .sandbox, insecure: Bool = false, mounts: [ExecMount], platform: Platform? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.network = network
        self.insecure = insecure
        self.mounts = mounts
        self.platform = platform
    }

    /// What ``platform`` is for a step of a stage or state built for `target`: nil for none or
    /// the host's, else the normalised platform.
    public static func platform(for target: Platform?) -> Platform? {
        guard let target, target.normalized != Platform.host.normalized else { return nil }
        return target.normalized
    }
}

/// The network a build step gets.
public enum NetworkMode: String, Sendable, Hashable, Codable {
    /// A network namespace of its own on the default bridge network, with outbound access (as
    /// BuildKit's default with CNI): the step sees its own loopback and bridge interface, not
    /// the host's.
    case sandbox
    /// The host's network namespace (`--network=host`).
    case host
    /// A private namespace with only loopback.
    case none
}

/// A mount of an exec op.
public struct ExecMount: Sendable, Hashable, Codable {
    /// What is mounted.
    public enum Kind: Sendable, Hashable, Codable {
        /// An input's files (read-write copy-on-write unless read-only).
        case bind
        /// A persistent cache directory shared across builds.
        case cache(id: String, sharing: CacheSharing, uid: Int, gid: Int, mode: UInt32)
        /// An empty tmpfs.
        case tmpfs(sizeBytes: Int64?)
        /// A secret file, never stored in a layer, cache key or log.
        case secret(id: String, required: Bool, uid: Int, gid: Int, mode: UInt32)
        /// A secret in the environment variable `name` of the command (the mount has no
        /// destination), never stored in a layer, cache key or log.
        case secretEnvironment(id: String, required: Bool, name: String)
        /// The socket of an SSH agent the build was given (`--ssh id=…`).
        case ssh(id: String, required: Bool, uid: Int, gid: Int, mode: UInt32)
    }

    /// How concurrent builds share a cache mount.
    public enum CacheSharing: String, Sendable, Hashable, Codable {
        case shared, `private`, locked
    }

    /// The index of the input mounted, for binds (the root is a bind of input 0); nil mounts
    /// an empty directory (`FROM scratch`, or a cache/tmpfs/secret).
    public var input: Int?
    /// The path inside the input to mount (`/` for all of it).
    public var selector: String
    /// Where it appears in the container.
    public var destination: String
    /// Whether the command may write to it.
    public var readOnly: Bool
    public var kind: Kind

    public init(input: Int?, selector: String = "/", destination: String, readOnly: Bool = false, kind: Kind = .bind) {
        self.input = input
        self.selector = selector
        self.destination = destination
        self.readOnly = readOnly
        self.kind = kind
    }
}

extension ExecMount {
    /// Whether this is an SSH agent's socket.
    public var isAgent: Bool {
        if case .ssh = kind { true } else { false }
    }

    /// Where the next agent socket goes when its mount does not say, given the mounts so far:
    /// BuildKit's `/run/buildkit/ssh_agent.0`, `.1` … in mount order.
    public static func defaultAgentPath(after mounts: [ExecMount]) -> String {
        "/run/buildkit/ssh_agent.\(mounts.count(where: \.isAgent))"
    }

    /// `environment` with `SSH_AUTH_SOCK` pointing at the first agent of `mounts`, unless it is
    /// set already — as BuildKit gives a step with agents.
    public static func environment(_ environment: [String: String], withAgentOf mounts: [ExecMount]) -> [String: String] {
        guard environment["SSH_AUTH_SOCK"] == nil, let agent = mounts.first(where: \.isAgent) else { return environment }
        return environment.merging(["SSH_AUTH_SOCK": agent.destination]) { $1 }
    }
}

extension ExecMount.Kind {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        switch self {
        case .bind:
            _ = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "bind")
        case .cache(let id, let sharing, let uid, let gid, let mode):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "cache")
            try fields.encode(id, forKey: "id")
            try fields.encode(sharing, forKey: "sharing")
            try fields.encode(uid, forKey: "uid")
            try fields.encode(gid, forKey: "gid")
            try fields.encode(mode, forKey: "mode")
        case .tmpfs(let sizeBytes):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "tmpfs")
            try fields.encodeIfPresent(sizeBytes, forKey: "sizeBytes")
        case .secret(let id, let required, let uid, let gid, let mode):
            try Self.encodeOwned("secret", id: id, required: required, uid: uid, gid: gid, mode: mode, in: &container)
        case .secretEnvironment(let id, let required, let name):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "secretEnvironment")
            try fields.encode(id, forKey: "id")
            try fields.encode(required, forKey: "required")
            try fields.encode(name, forKey: "name")
        case .ssh(let id, let required, let uid, let gid, let mode):
            try Self.encodeOwned("ssh", id: id, required: required, uid: uid, gid: gid, mode: mode, in: &container)
        }
    }

    /// A secret's or an agent's fields: the same for both, under the kind's key.
    private static func encodeOwned(_ kind: String, id: String, required: Bool, uid: Int, gid: Int, mode: UInt32,
                                    in container: inout KeyedEncodingContainer<OpCodingKey>) throws {
        var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: OpCodingKey(stringLiteral: kind))
        try fields.encode(id, forKey: "id")
        try fields.encode(required, forKey: "required")
        try fields.encode(uid, forKey: "uid")
        try fields.encode(gid, forKey: "gid")
        try fields.encode(mode, forKey: "mode")
    }
}

extension ExecOp {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        try container.encode(arguments, forKey: "arguments")
        try container.encode(environment, forKey: "environment")
        try container.encode(workingDirectory, forKey: "workingDirectory")
        try container.encode(user, forKey: "user")
        try container.encode(network, forKey: "network")
        try container.encode(insecure, forKey: "insecure")
        try container.encode(mounts, forKey: "mounts")
        try container.encodeIfPresent(platform, forKey: "platform")
    }
}

extension ExecMount {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        try container.encodeIfPresent(input, forKey: "input")
        try container.encode(selector, forKey: "selector")
        try container.encode(destination, forKey: "destination")
        try container.encode(readOnly, forKey: "readOnly")
        try container.encode(kind, forKey: "kind")
    }
}
