public import HoistOCI

/// Runs one command in a prepared root filesystem: the part of a `RUN` step an OCI runtime
/// does. The native backend adapts its runc executor to this; the build engine does not know
/// which runtime runs the command.
public protocol CommandRunner: Sendable {
    /// Runs `command` with `rootfs` as `/`, streaming its output to `output`, and returns its
    /// exit code (128 + n for a signal n).
    func run(_ command: CommandSpec, rootfs: String, output: @escaping @Sendable (ProgressEvent.Stream, [UInt8]) -> Void) async throws -> Int32
}

/// A command to run for a build step.
public struct CommandSpec: Sendable, Hashable {
    /// A host directory to show inside the container.
    public struct BindMount: Sendable, Hashable {
        public var source: String
        public var destination: String
        public var readOnly: Bool
        /// Whether the step's writes must reach the source and stay (a cache mount's directory,
        /// an agent's socket), as opposed to mattering only while the step runs: a runner that
        /// cannot bind copies the other sources in and throws the copies away.
        public var keepsWrites: Bool

        public init(source: String, destination: String, readOnly: Bool, keepsWrites: Bool = false) {
            self.source = source
            self.destination = destination
            self.readOnly = readOnly
            self.keepsWrites = keepsWrites
        }
    }

    public var arguments: [String]
    /// `NAME=value` entries.
    public var environment: [String]
    public var workingDirectory: String
    /// `name`, `uid`, `uid:gid` or `name:group`, resolved in the root filesystem; empty for root.
    public var user: String
    public var network: NetworkMode
    /// Every capability and no confinement (`RUN --security=insecure`).
    public var insecure: Bool
    public var binds: [BindMount]
    /// tmpfs mounts by destination, with an optional size in bytes.
    public var tmpfs: [String: Int64?]
    /// The platform the command is for when it is not the host's (``ExecOp/platform``): a
    /// runner refuses it, before it starts, when this machine cannot run it.
    public var platform: Platform?

    public init(arguments: [String], environment: [String], workingDirectory: String, user: String, network: NetworkMode,
                insecure: Bool, binds: [BindMount] = [], tmpfs: [String: Int64?] = [:], platform: Platform? = nil) {
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.network = network
        self.insecure = insecure
        self.binds = binds
        self.tmpfs = tmpfs
        self.platform = platform
    }
}
