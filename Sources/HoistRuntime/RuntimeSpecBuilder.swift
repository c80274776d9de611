#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI
import HoistStore

/// Turns ``ContainerSettings`` into a ``RuntimeSpec`` with Docker's defaults for a container
/// or a RUN step: its capability set, masked and read-only /proc and /sys paths, the standard
/// /proc, /dev, /sys and cgroup mounts, new pid/ipc/uts/mount namespaces (and a network one
/// unless the host's is shared), generated /etc/hosts, /etc/resolv.conf and /etc/hostname, a
/// default PATH and HOME, and the user looked up in the image.
public struct RuntimeSpecBuilder: Sendable {
    /// Docker's default capabilities.
    public static let defaultCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]

    /// Every capability Linux defines (what `ALL` means), in number order.
    public static let allCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// Paths hidden from the container (Docker's list).
    public static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]

    /// Paths the container may read but not write (Docker's list).
    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// The PATH a container gets when its image sets none.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The standard file systems every container gets.
    public static let defaultMounts: [RuntimeSpec.Mount] = [
        .init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        .init(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        .init(
            destination: "/dev/pts", type: "devpts", source: "devpts",
            options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        .init(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        .init(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"]),
        .init(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        .init(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
    ]

    /// What to build.
    public var settings: ContainerSettings
    /// Whether the host accounts swap (cgroup v1 `memory.memsw.*`), so that Docker's default
    /// swap limit (twice the memory) can be set.
    public var swapAccounting: Bool

    public init(_ settings: ContainerSettings) {
        self.settings = settings
        swapAccounting = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
    }

    /// Builds the spec for a container whose root file system is visible at `rootfs` (the
    /// user is looked up there and the working directory created there) and whose bundle is
    /// `bundle` (where /etc/hosts, /etc/resolv.conf and /etc/hostname are written).
    /// `rootPath` is what `root.path` says (relative to the bundle, or absolute).
    /// Throws `notFound` for an unknown user or group, `invalidArgument` for a bad setting.
    public func build(rootfs: String, bundle: String, rootPath: String = "rootfs", cgroupsPath: String? = nil) throws -> RuntimeSpec {
        guard !settings.arguments.isEmpty else {
            throw RuntimeError(.invalidArgument, "no command to run: the image has no entrypoint or command and none was given")
        }
        let process = try self.process(rootfs: rootfs)
        try createDirectory(process.cwd, in: rootfs)

        var namespaces = ["pid", "ipc", "uts", "mount"].map { RuntimeSpec.Namespace(type: $0) }
        switch settings.network {
        case .none: namespaces.append(RuntimeSpec.Namespace(type: "network"))
        case .namespace(let path): namespaces.append(RuntimeSpec.Namespace(type: "network", path: path))
        case .host: break
        }

        let privileged = settings.privileged == true
        var linux = RuntimeSpec.Linux(
            namespaces: namespaces, maskedPaths: privileged ? nil : Self.maskedPaths,
            readonlyPaths: privileged ? nil : Self.readonlyPaths, resources: resources(), cgroupsPath: cgroupsPath,
            seccomp: try seccompFilter())
        if privileged {
            linux.devices = HostDevices.list()
            linux.resources?.devices = [RuntimeSpec.DeviceRule(allow: true, access: "rwm")]
        }
        return RuntimeSpec(
            process: process,
            root: RuntimeSpec.Root(path: rootPath, readonly: settings.readOnlyRootFilesystem),
            hostname: settings.hostname,
            mounts: try mounts(bundle: bundle),
            linux: linux)
    }

    /// The process part alone, for a container's process or one run in it by `exec`: the user
    /// looked up in the root file system visible at `rootfs`.
    public func process(rootfs: String) throws -> RuntimeSpec.Process {
        let user = try UserResolver(rootfs: rootfs).resolve(
            settings.user, extraGroups: settings.additionalGroups,
            primaryGroupIsSupplementary: settings.primaryGroupIsSupplementary ?? true)
        let cwd = try Self.workingDirectory(settings.workingDirectory)
        let capabilities = try capabilitySet()
        return RuntimeSpec.Process(
            terminal: settings.terminal,
            user: RuntimeSpec.User(
                uid: user.uid, gid: user.gid, additionalGids: user.additionalGids.isEmpty ? nil : user.additionalGids),
            args: settings.arguments, env: environment(home: user.home), cwd: cwd,
            // Docker gives a non-root user only the bounding set, so its programs start without
            // capabilities unless file capabilities grant them.
            capabilities: RuntimeSpec.Capabilities(
                bounding: capabilities, effective: user.uid == 0 ? capabilities : [], permitted: user.uid == 0 ? capabilities : []),
            rlimits: [Self.openFilesLimit],
            noNewPrivileges: settings.security?.noNewPrivileges ?? false,
            apparmorProfile: settings.privileged == true ? nil : AppArmor.profile(settings.security?.appArmorProfile))
    }

    /// The seccomp filter for this container: Docker's default profile unless the settings say
    /// otherwise, its rules chosen for the container's capabilities. Nil when unconfined.
    func seccompFilter() throws -> RuntimeSpec.Seccomp? {
        let capabilities = Set(try capabilitySet())
        // A privileged container is unconfined unless a profile was named for it, as in Docker.
        let fallback: SecurityOptions.Seccomp = settings.privileged == true ? .unconfined : .dockerDefault
        switch settings.security?.seccomp ?? fallback {
        case .unconfined:
            return nil
        case .dockerDefault:
            return try Self.dockerDefaultProfile.get().resolved(capabilities: capabilities)
        case .profile(let profile):
            return profile.resolved(capabilities: capabilities)
        }
    }

    /// Docker's default profile, read once per process.
    private static let dockerDefaultProfile: Result<SeccompProfile, RuntimeError> = {
        do {
            return .success(try SeccompProfile.containersDefault())
        } catch let error as RuntimeError {
            return .failure(error)
        } catch {
            return .failure(RuntimeError(.internal, "cannot read the default seccomp profile", underlying: error))
        }
    }()

    // MARK: - Parts

    /// `path` cleaned lexically (`..` stops at `/`), as Docker cleans a working directory;
    /// throws `invalidArgument` with Docker's message unless it is absolute.
    static func workingDirectory(_ path: String) throws -> String {
        guard path.hasPrefix("/") else {
            throw RuntimeError(.invalidArgument, "the working directory '\(path)' is invalid, it needs to be an absolute path")
        }
        var components: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                _ = components.popLast()
            } else {
                components.append(part)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    private func environment(home: String) -> [String] {
        var environment = settings.environment
        let names = Set(environment.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") })
        if !names.contains("PATH") { environment.insert("PATH=" + Self.defaultPath, at: 0) }
        if !names.contains("HOSTNAME") { environment.append("HOSTNAME=" + settings.hostname) }
        if !names.contains("HOME") { environment.append("HOME=" + home) }
        return environment
    }

    /// Docker's set with `--cap-add` applied, then `--cap-drop` (as Docker orders them).
    ///
    /// Only capabilities this process may grant are given — a privileged container on a host
    /// whose own bounding set lacks some gets the rest, where runc would refuse to start it.
    func capabilitySet() throws -> [String] {
        try requestedCapabilities().filter(Self.grantable.contains)
    }

    private func requestedCapabilities() throws -> [String] {
        if settings.privileged == true { return Self.allCapabilities }
        var set = Self.defaultCapabilities
        for name in settings.capabilitiesAdded {
            for capability in try Self.capabilities(named: name) where !set.contains(capability) {
                set.append(capability)
            }
        }
        for name in settings.capabilitiesDropped {
            let dropped = try Self.capabilities(named: name)
            set.removeAll { dropped.contains($0) }
        }
        return set
    }

    /// The capabilities in this process's bounding set (all of them when it cannot be read).
    static let grantable: Set<String> = {
        guard let status = ProcFile.read("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }),
            let mask = UInt64(line.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return Set(allCapabilities) }
        return Set(allCapabilities.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element))
    }()

    private static func capabilities(named name: String) throws -> [String] {
        let upper = name.uppercased()
        if upper == "ALL" { return allCapabilities }
        let full = upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        guard allCapabilities.contains(full) else {
            throw RuntimeError(.invalidArgument, "unknown capability \"\(name)\"")
        }
        return [full]
    }

    private func mounts(bundle: String) throws -> [RuntimeSpec.Mount] {
        let extra = try settings.mounts.map { mount -> RuntimeSpec.Mount in
            guard mount.destination.hasPrefix("/") else {
                throw RuntimeError(.invalidArgument, "mount destination \(mount.destination) is not an absolute path")
            }
            switch mount {
            case .bind(let source, let destination, let readOnly):
                guard FileManager.default.fileExists(atPath: source) else {
                    throw RuntimeError(.notFound, "bind mount source \(source) does not exist")
                }
                return .init(destination: destination, type: "bind", source: source, options: ["rbind", "rprivate", readOnly ? "ro" : "rw"])
            case .tmpfs(let destination, let size):
                return .init(
                    destination: destination, type: "tmpfs", source: "tmpfs",
                    options: ["nosuid", "nodev", "mode=1777"] + (size.map { ["size=\($0)"] } ?? []))
            }
        }
        let taken = Set(extra.map(\.destination))
        var mounts = Self.defaultMounts.filter { !taken.contains($0.destination) }
        // Privileged containers may write /sys and their cgroups, as in Docker.
        if settings.privileged == true {
            for (index, mount) in mounts.enumerated() where ["/sys", "/sys/fs/cgroup"].contains(mount.destination) {
                mounts[index].options = mount.options?.filter { $0 != "ro" }
            }
        }
        // With the host's network the host's /sys is the right one to show.
        if settings.network == .host, let index = mounts.firstIndex(where: { $0.destination == "/sys" }) {
            mounts[index] = .init(destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
        }
        mounts += extra
        for (name, contents) in [("hosts", hosts()), ("resolv.conf", try resolvConf()), ("hostname", settings.hostname + "\n")]
        where !taken.contains("/etc/" + name) {
            let path = bundle + "/" + name
            try BundleFile.write(Data(contents.utf8), to: path)
            let readOnly = settings.readOnlyRootFilesystem || settings.nameResolution.readOnly && name != "hostname"
            let options = ["rbind", "rprivate", readOnly ? "ro" : "rw"]
            mounts.append(.init(destination: "/etc/" + name, type: "bind", source: path, options: options))
        }
        return mounts
    }

    private func hosts() -> String {
        var entries = settings.nameResolution.extraHosts
        // Without the host's network the hostname is the sandbox's own, on its loopback (as
        // BuildKit's steps have it); a container on a network gets its address line from there.
        if settings.network != .host, !entries.contains(where: { $0.names.contains(settings.hostname) }) {
            entries.append(HostsEntry(address: "127.0.0.1", names: [settings.hostname]))
        }
        return HostsFile.render(entries)
    }

    /// The host's resolv.conf as the container's settings change it (see ``NameResolution``).
    private func resolvConf() throws -> String {
        let host = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        return settings.nameResolution.resolvConf(from: host, hostNetwork: settings.network == .host)
    }

    private func resources() -> RuntimeSpec.Resources {
        let limits = settings.resources
        var resources = RuntimeSpec.Resources(devices: [RuntimeSpec.DeviceRule(allow: false, access: "rwm")])
        if let memory = limits.memoryBytes {
            let swap = limits.memorySwapBytes ?? (swapAccounting ? memory * 2 : nil)
            resources.memory = RuntimeSpec.Memory(limit: memory, swap: swap)
        }
        if limits.cpuQuota != nil || limits.cpuPeriod != nil {
            resources.cpu = RuntimeSpec.CPU(quota: limits.cpuQuota, period: limits.cpuPeriod ?? 100_000)
        }
        if let pids = limits.pidsLimit { resources.pids = RuntimeSpec.Pids(limit: pids) }
        return resources
    }

    /// Creates `path` (absolute inside the container) under `rootfs`, following symlinks only
    /// inside the root.
    private func createDirectory(_ path: String, in rootfs: String) throws {
        do {
            let resolved = try RootedPath(root: rootfs).resolve(path)
            try FileManager.default.createDirectory(atPath: resolved, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError(.failedPrecondition, "cannot create the working directory \(path)", underlying: error)
        }
    }

    /// Docker's 1048576 open files, capped at what this process may grant: raising a hard limit
    /// needs a privilege the container's init no longer has.
    static var openFilesLimit: RuntimeSpec.Rlimit {
        var limit = rlimit()
        let hard = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? UInt64(limit.rlim_max) : 1_048_576
        let value = min(hard, 1_048_576)
        return RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: value, soft: value)
    }
}
