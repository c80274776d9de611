/// The defaults an image sets for the containers run from it: the `config` member of an image
/// configuration, with Docker's member names (`User`, `Env`, `Cmd`, …).
///
/// Docker also writes `Healthcheck`, `OnBuild` and `Shell` here, and Hoist keeps them, since
/// later builds read them (`ONBUILD` triggers, the `SHELL` for `RUN`).
public struct ContainerConfig: Hashable, Sendable, Codable {
    /// The user (and group) to run as: `name`, `uid`, `uid:gid`, `name:group`.
    public var user: String?
    /// The ports the image expects to listen on: `80/tcp`, `53/udp`.
    public var exposedPorts: Set<String>?
    /// The environment, each entry `NAME=value`.
    public var env: [String]?
    /// The executable and its first arguments.
    public var entrypoint: [String]?
    /// The default command, or the default arguments to ``entrypoint``.
    public var cmd: [String]?
    /// Paths the image declares as volumes.
    public var volumes: Set<String>?
    /// The working directory of the process.
    public var workingDir: String?
    /// Arbitrary metadata.
    public var labels: [String: String]?
    /// The signal that asks the process to stop (`SIGTERM` unless set).
    public var stopSignal: String?
    /// Windows only: whether ``cmd`` is already escaped as one command line.
    public var argsEscaped: Bool?
    /// Docker's health check.
    public var healthcheck: HealthcheckConfig?
    /// Docker's `ONBUILD` triggers, run by builds that start `FROM` this image.
    public var onBuild: [String]?
    /// Docker's shell for the shell form of `RUN`, `CMD` and `ENTRYPOINT`.
    public var shell: [String]?
    /// Members Hoist does not model (Docker's `Hostname`, `Tty`, `Image`, …), kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// Container defaults from their parts; nil leaves a member out.
    public init(
        user: String? = nil, exposedPorts: Set<String>? = nil, env: [String]? = nil, entrypoint: [String]? = nil,
        cmd: [String]? = nil, volumes: Set<String>? = nil, workingDir: String? = nil, labels: [String: String]? = nil,
        stopSignal: String? = nil, argsEscaped: Bool? = nil, healthcheck: HealthcheckConfig? = nil,
        onBuild: [String]? = nil, shell: [String]? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.user = user
        self.exposedPorts = exposedPorts
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.volumes = volumes
        self.workingDir = workingDir
        self.labels = labels
        self.stopSignal = stopSignal
        self.argsEscaped = argsEscaped
        self.healthcheck = healthcheck
        self.onBuild = onBuild
        self.shell = shell
        self.unknownFields = unknownFields
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case user = "User"
        case exposedPorts = "ExposedPorts"
        case env = "Env"
        case entrypoint = "Entrypoint"
        case cmd = "Cmd"
        case volumes = "Volumes"
        case workingDir = "WorkingDir"
        case labels = "Labels"
        case stopSignal = "StopSignal"
        case argsEscaped = "ArgsEscaped"
        case healthcheck = "Healthcheck"
        case onBuild = "OnBuild"
        case shell = "Shell"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        user = try container.decodeIfPresent(String.self, forKey: .user)
        exposedPorts = try Self.decodeNameSet(container, .exposedPorts)
        env = try container.decodeIfPresent([String].self, forKey: .env)
        entrypoint = try container.decodeIfPresent([String].self, forKey: .entrypoint)
        cmd = try container.decodeIfPresent([String].self, forKey: .cmd)
        volumes = try Self.decodeNameSet(container, .volumes)
        workingDir = try container.decodeIfPresent(String.self, forKey: .workingDir)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
        stopSignal = try container.decodeIfPresent(String.self, forKey: .stopSignal)
        argsEscaped = try container.decodeIfPresent(Bool.self, forKey: .argsEscaped)
        healthcheck = try container.decodeIfPresent(HealthcheckConfig.self, forKey: .healthcheck)
        onBuild = try container.decodeIfPresent([String].self, forKey: .onBuild)
        shell = try container.decodeIfPresent([String].self, forKey: .shell)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(user, forKey: .user)
        try container.encodeIfPresent(exposedPorts.map(Self.nameSetObject), forKey: .exposedPorts)
        try container.encodeIfPresent(env, forKey: .env)
        try container.encodeIfPresent(entrypoint, forKey: .entrypoint)
        try container.encodeIfPresent(cmd, forKey: .cmd)
        try container.encodeIfPresent(volumes.map(Self.nameSetObject), forKey: .volumes)
        try container.encodeIfPresent(workingDir, forKey: .workingDir)
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(stopSignal, forKey: .stopSignal)
        try container.encodeIfPresent(argsEscaped, forKey: .argsEscaped)
        try container.encodeIfPresent(healthcheck, forKey: .healthcheck)
        try container.encodeIfPresent(onBuild, forKey: .onBuild)
        try container.encodeIfPresent(shell, forKey: .shell)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }

    /// Docker writes ports and volumes as `{"name": {}}`; the members' values carry nothing.
    private static func decodeNameSet(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> Set<String>? {
        guard let object = try container.decodeIfPresent([String: JSONValue].self, forKey: key) else { return nil }
        for (name, value) in object where value.objectValue == nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(key.rawValue)[\"\(name)\"] must be an object")
        }
        return Set(object.keys)
    }

    private static func nameSetObject(_ names: Set<String>) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, JSONValue.object([:])) })
    }
}
