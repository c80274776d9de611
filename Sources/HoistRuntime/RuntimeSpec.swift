/// A bundle's `config.json`, as the OCI runtime specification defines it: the part Hoist
/// writes for runc and crun. Optional fields left nil are left out of the JSON.
public struct RuntimeSpec: Codable, Sendable, Hashable {
    public var ociVersion: String = "1.0.2"
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var mounts: [Mount]?
    public var linux: Linux?
    public var hooks: Hooks?

    public init(
        ociVersion: String = "1.0.2", process: Process? = nil, root: Root? = nil, hostname: String? = nil,
        mounts: [Mount]? = nil, linux: Linux? = nil, hooks: Hooks? = nil
    ) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.mounts = mounts
        self.linux = linux
        self.hooks = hooks
    }

    /// Programs the runtime runs at points of the container's life.
    public struct Hooks: Codable, Sendable, Hashable {
        /// Run in the container's namespaces once its mounts are made, before `pivot_root`.
        public var createContainer: [Hook]?

        public init(createContainer: [Hook]? = nil) {
            self.createContainer = createContainer
        }
    }

    /// One hook: a host program and its arguments (the first is its name).
    public struct Hook: Codable, Sendable, Hashable {
        public var path: String
        public var args: [String]?

        public init(path: String, args: [String]? = nil) {
            self.path = path
            self.args = args
        }
    }

    /// The container's process.
    public struct Process: Codable, Sendable, Hashable {
        /// Whether the process gets a pseudo-terminal (`-t`); pipes otherwise.
        public var terminal: Bool?
        public var user: User
        /// The command and its arguments; the first is looked up on the container's PATH.
        public var args: [String]
        /// `NAME=value` pairs.
        public var env: [String]?
        /// The working directory, absolute inside the container.
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var oomScoreAdj: Int?
        /// The AppArmor profile the process runs under, where the host has AppArmor.
        public var apparmorProfile: String?

        public init(
            terminal: Bool? = false, user: User = User(), args: [String], env: [String]? = nil, cwd: String = "/",
            capabilities: Capabilities? = nil, rlimits: [Rlimit]? = nil, noNewPrivileges: Bool? = nil, oomScoreAdj: Int? = nil,
            apparmorProfile: String? = nil
        ) {
            self.terminal = terminal
            self.user = user
            self.args = args
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.oomScoreAdj = oomScoreAdj
            self.apparmorProfile = apparmorProfile
        }
    }

    /// Who the process runs as.
    public struct User: Codable, Sendable, Hashable {
        public var uid: UInt32
        public var gid: UInt32
        public var umask: UInt32?
        public var additionalGids: [UInt32]?

        public init(uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil, additionalGids: [UInt32]? = nil) {
            self.uid = uid
            self.gid = gid
            self.umask = umask
            self.additionalGids = additionalGids
        }
    }

    /// Capability names (`CAP_CHOWN` …) per set.
    public struct Capabilities: Codable, Sendable, Hashable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?

        public init(
            bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil, permitted: [String]? = nil,
            ambient: [String]? = nil
        ) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }

    /// A resource limit (`RLIMIT_NOFILE` …).
    public struct Rlimit: Codable, Sendable, Hashable {
        public var type: String
        public var hard: UInt64
        public var soft: UInt64

        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    /// The root file system.
    public struct Root: Codable, Sendable, Hashable {
        /// Absolute, or relative to the bundle.
        public var path: String
        public var readonly: Bool?

        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    /// A mount inside the container.
    public struct Mount: Codable, Sendable, Hashable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?

        public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    /// Linux specifics.
    public struct Linux: Codable, Sendable, Hashable {
        public var namespaces: [Namespace]?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var resources: Resources?
        public var cgroupsPath: String?
        public var sysctl: [String: String]?
        /// The system call filter; nil runs the container unconfined.
        public var seccomp: Seccomp?
        /// Device nodes made in the container's /dev (a privileged container's: the host's).
        public var devices: [Device]?

        public init(
            namespaces: [Namespace]? = nil, uidMappings: [IDMapping]? = nil, gidMappings: [IDMapping]? = nil,
            maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil, resources: Resources? = nil,
            cgroupsPath: String? = nil, sysctl: [String: String]? = nil, seccomp: Seccomp? = nil
        ) {
            self.namespaces = namespaces
            self.uidMappings = uidMappings
            self.gidMappings = gidMappings
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.resources = resources
            self.cgroupsPath = cgroupsPath
            self.sysctl = sysctl
            self.seccomp = seccomp
        }
    }

    /// A device node the runtime makes in the container.
    public struct Device: Codable, Sendable, Hashable {
        public var path: String
        /// `c`, `b` or `p`.
        public var type: String
        public var major: Int64
        public var minor: Int64
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?

        public init(path: String, type: String, major: Int64, minor: Int64, fileMode: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
            self.path = path
            self.type = type
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }

    /// A seccomp filter as the runtime takes it: every condition already evaluated.
    public struct Seccomp: Codable, Sendable, Hashable {
        /// `SCMP_ACT_ERRNO`, `SCMP_ACT_ALLOW` …, for system calls no rule names.
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        /// libseccomp architecture names (`SCMP_ARCH_X86_64` …).
        public var architectures: [String]?
        public var flags: [String]?
        public var syscalls: [SeccompRule]?

        public init(
            defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String]? = nil, flags: [String]? = nil,
            syscalls: [SeccompRule]? = nil
        ) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.flags = flags
            self.syscalls = syscalls
        }
    }

    /// What happens to some system calls, optionally only for some argument values.
    public struct SeccompRule: Codable, Sendable, Hashable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SeccompArgument]?

        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [SeccompArgument]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    /// A comparison of one system call argument.
    public struct SeccompArgument: Codable, Sendable, Hashable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        /// `SCMP_CMP_EQ`, `SCMP_CMP_MASKED_EQ` …
        public var op: String

        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    /// A namespace the container gets: a new one, or the one at `path`.
    public struct Namespace: Codable, Sendable, Hashable {
        /// `pid`, `network`, `mount`, `ipc`, `uts`, `user`, `cgroup`.
        public var type: String
        public var path: String?

        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    /// A user-namespace id range.
    public struct IDMapping: Codable, Sendable, Hashable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32

        public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
            self.containerID = containerID
            self.hostID = hostID
            self.size = size
        }
    }

    /// cgroup limits.
    public struct Resources: Codable, Sendable, Hashable {
        public var devices: [DeviceRule]?
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?

        public init(devices: [DeviceRule]? = nil, memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil) {
            self.devices = devices
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
        }
    }

    /// A device cgroup rule.
    public struct DeviceRule: Codable, Sendable, Hashable {
        public var allow: Bool
        public var type: String?
        public var major: Int64?
        public var minor: Int64?
        public var access: String?

        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    /// Memory limits in bytes; `swap` is memory plus swap, as runc takes it.
    public struct Memory: Codable, Sendable, Hashable {
        public var limit: Int64?
        public var swap: Int64?

        public init(limit: Int64? = nil, swap: Int64? = nil) {
            self.limit = limit
            self.swap = swap
        }
    }

    /// CPU bandwidth: `quota` microseconds per `period` microseconds.
    public struct CPU: Codable, Sendable, Hashable {
        public var shares: UInt64?
        public var quota: Int64?
        public var period: UInt64?

        public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil) {
            self.shares = shares
            self.quota = quota
            self.period = period
        }
    }

    /// The most processes the container may have.
    public struct Pids: Codable, Sendable, Hashable {
        public var limit: Int64

        public init(limit: Int64) {
            self.limit = limit
        }
    }
}
