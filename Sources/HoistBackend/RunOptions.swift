public import Foundation
public import HoistOCI
public import HoistRuntime

/// How ``ContainerBackend/run(_:_:standardOutput:standardError:)`` starts a container, as `docker run`
/// flags say it.
public struct RunOptions: Sendable {
    /// The command (`docker run IMAGE CMD…`); the image's CMD when nil.
    public var command: [String]?
    /// Replaces the image's ENTRYPOINT (`--entrypoint`); an empty array clears it.
    public var entrypoint: [String]?
    /// `NAME=value` entries added to the image's (`-e`).
    public var environment: [String]
    /// `-w`.
    public var workingDirectory: String?
    /// `-u`.
    public var user: String?
    /// `--network`: the default bridge network unless told otherwise, as Docker's.
    public var network: ContainerNetwork = .default
    /// `-p`: host ports forwarded to the container's (host port 0: a free one is chosen).
    public var publishedPorts: [PortMapping] = []
    /// `-P`: every port the image EXPOSEs published on a free host port.
    public var publishAllExposedPorts = false
    /// `--ip`: a fixed address on a user network.
    public var address: IPv4Address?
    /// `--network-alias`: more names other members of a user network reach it by.
    public var networkAliases: [String] = []
    /// `--add-host`, `--dns`, `--dns-search`, `--dns-option`.
    public var nameResolution = NameResolution()
    /// `-v HOST:CONTAINER[:ro]`; a host part that is not an absolute path names a volume
    /// (`-v NAME:/path`), made on first use and filled from the image at the path; an empty one
    /// is an anonymous volume (`-v /path`), new for each kept container and removed with it by
    /// `rm -v` and `--rm`.
    public var volumes: [(host: String, container: String, readOnly: Bool)]
    /// Bytes fed to the container's stdin (`-i`), nil for none.
    public var standardInput: Data?
    /// `--memory` in bytes.
    public var memoryBytes: Int64?
    /// `--cpus`: CPU time as a number of CPUs.
    public var cpus: Double?
    /// `--pids-limit`.
    public var pidsLimit: Int64?
    /// `--cap-add`, `--cap-drop`: capabilities added to or dropped from Docker's default set.
    public var capabilitiesAdded: [String] = []
    public var capabilitiesDropped: [String] = []
    /// `--read-only`: the root file system cannot be written.
    public var readOnlyRootFilesystem = false
    /// `-t`: a pseudo-terminal on the caller's own standard input and output.
    public var terminal = false
    /// `--security-opt` values as Docker spells them: `seccomp=unconfined|FILE`,
    /// `no-new-privileges`, `apparmor=PROFILE`, `label=…`. Docker's default seccomp profile
    /// applies unless one of them says otherwise.
    public var securityOptions: [String] = []
    /// `--privileged`: every capability and device, no seccomp filter, no masked paths.
    public var privileged = false
    /// `--hostname`; the first 12 characters of the container's ID when nil, as Docker names it.
    public var hostname: String?
    /// `--sig-proxy`: while the container runs in the foreground, the signals this process gets
    /// (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH) go to the container's
    /// process instead; off by default for callers of the library, on in `hoist run`.
    public var signalProxy = false
    /// `--stop-signal`: what ``ContainerBackend/stopContainer(_:timeout:)`` sends first (default: the
    /// image's STOPSIGNAL, else SIGTERM).
    public var stopSignal: String?
    /// `--stop-timeout`: seconds a stop waits before SIGKILL when it is given none (default 10).
    public var stopTimeout: Int?
    /// `--init`: a small init (tini or catatonit from the host's PATH) runs as PID 1, forwards
    /// signals to the command and reaps orphaned processes.
    public var initProcess = false
    /// `--tmpfs`, `--mount`: mounts beyond `volumes`, in the runtime's terms.
    public var mounts: [ContainerMount] = []
    /// `--ulimit NAME=SOFT[:HARD]`: resource limits of the container's process (`nofile`,
    /// `nproc`, `core` …), replacing the defaults of the same name.
    public var ulimits: [ResourceLimit] = []
    /// `--shm-size` in bytes (Docker's default: 64 MiB).
    public var shmSizeBytes: Int64?
    /// `--device HOST[:CONTAINER[:PERMISSIONS]]`: host device nodes made in the container.
    public var devices: [DeviceMapping] = []
    /// `--label`, `--label-file`: the container's labels (the image's, then these).
    public var labels: [String: String] = [:]
    /// `--rm` for a kept container: once it has ended it goes, removed by whoever runs it in the
    /// foreground, else by the next look at the containers (`hoist ps`, `hoist run -d --rm`).
    public var autoRemove = false
    /// `--restart`: whether the monitor of a kept container started in the background starts it
    /// again when it ends.
    public var restartPolicy: RestartPolicy = .no
    /// `--platform`: which platform's image of a multi-platform name to run (default: this
    /// host's, as the name resolves). A foreign one runs emulated, or is refused when this
    /// machine cannot run its programs.
    public var platform: Platform?
    /// `--name` for a container that is kept (``ContainerBackend/createContainer(_:_:)``); a generated
    /// name when nil.
    public var name: String?

    /// `--network host` (true) or the default network (false), for callers of earlier versions.
    public var hostNetwork: Bool {
        get { network == .host }
        set { network = newValue ? .host : .default }
    }

    public init(command: [String]? = nil, entrypoint: [String]? = nil, environment: [String] = [],
                workingDirectory: String? = nil, user: String? = nil, network: ContainerNetwork = .default,
                volumes: [(host: String, container: String, readOnly: Bool)] = [], standardInput: Data? = nil) {
        self.command = command
        self.entrypoint = entrypoint
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.network = network
        self.volumes = volumes
        self.standardInput = standardInput
    }
}
