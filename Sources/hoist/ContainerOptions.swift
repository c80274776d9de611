import ArgumentParser
import Foundation
import Hoist
import HoistOCI
import HoistRuntime

/// The flags `hoist run` and `hoist create` share, named as `docker run` names them.
struct ContainerOptions: ParsableArguments {
    @Option(name: .long, help: "A name for the container (default: a made-up one).")
    var name: String?

    @OptionGroup var process: ProcessOptions

    @Option(name: .long, help: "bridge (the default network), none, host, or a network made with `hoist network create`.")
    var network: String = "bridge"

    @Option(name: [.short, .customLong("publish")], help: ArgumentHelp("Publish a container's port on the host; repeatable.", valueName: "[ip:][host:]container[/proto]"))
    var publish: [String] = []

    @Flag(name: [.customShort("P"), .customLong("publish-all")], help: "Publish every port the image EXPOSEs on a free host port.")
    var publishAll = false

    @Option(name: .long, help: ArgumentHelp("A fixed IPv4 address on a user network.", valueName: "address"))
    var ip: String?

    @Option(name: .customLong("network-alias"), help: ArgumentHelp("Another name on a user network; repeatable.", valueName: "name"))
    var networkAliases: [String] = []

    @Option(name: .customLong("add-host"), help: ArgumentHelp("Add a line to /etc/hosts; repeatable.", valueName: "name:ip"))
    var addHosts: [String] = []

    @Option(name: .long, help: ArgumentHelp("A nameserver instead of the host's; repeatable.", valueName: "ip"))
    var dns: [String] = []

    @Option(name: .customLong("dns-search"), help: ArgumentHelp("A search domain instead of the host's; repeatable.", valueName: "domain"))
    var dnsSearch: [String] = []

    @Option(name: .customLong("dns-option"), help: ArgumentHelp("A resolver option instead of the host's; repeatable.", valueName: "option"))
    var dnsOptions: [String] = []

    @Option(name: .long, help: ArgumentHelp("Override the image's ENTRYPOINT (\"\" clears it).", valueName: "command"))
    var entrypoint: String?

    @Option(name: [.short, .customLong("volume")], help: ArgumentHelp("Bind a host path or mount a named volume; repeatable.", valueName: "host-path|volume:container[:ro|rw|z|Z]"))
    var volumes: [String] = []

    @Flag(name: [.short, .customLong("interactive")], help: "Pass standard input to the container.")
    var interactive = false

    @Flag(name: [.short, .customLong("tty")], help: "Give the container a pseudo-terminal on hoist's own.")
    var tty = false

    @Option(name: [.short, .long], help: ArgumentHelp("Memory limit, e.g. 64m or 1g.", valueName: "bytes"))
    var memory: String?

    @Option(name: .long, help: ArgumentHelp("CPU time as a number of CPUs, e.g. 0.5.", valueName: "number"))
    var cpus: Double?

    @Option(name: .customLong("pids-limit"), help: ArgumentHelp("The most processes the container may have.", valueName: "number"))
    var pidsLimit: Int64?

    @Option(name: .customLong("cap-add"), help: ArgumentHelp("Add a capability (NET_ADMIN, ALL …); repeatable.", valueName: "capability"))
    var capabilitiesAdded: [String] = []

    @Option(name: .customLong("cap-drop"), help: ArgumentHelp("Drop a capability; repeatable.", valueName: "capability"))
    var capabilitiesDropped: [String] = []

    @Flag(name: .customLong("read-only"), help: "Mount the container's root file system read-only.")
    var readOnly = false

    @Option(name: .customLong("security-opt"), help: ArgumentHelp(
        "seccomp=unconfined|PROFILE.json, no-new-privileges, apparmor=PROFILE or label=…; repeatable (default: Docker's seccomp profile).",
        valueName: "option"))
    var securityOptions: [String] = []

    @Flag(name: .long, help: "Every capability and device, no seccomp filter, no masked paths.")
    var privileged = false

    @Option(name: .long, help: ArgumentHelp("The platform of a multi-platform image to run, e.g. linux/arm64 (a foreign one runs emulated through binfmt_misc).", valueName: "os/arch[/variant]"))
    var platform: String?

    @Option(name: [.short, .long], help: "The container's hostname (default: the first 12 characters of its ID).")
    var hostname: String?

    @Option(name: .customLong("sig-proxy"), help: ArgumentHelp("Pass the signals hoist gets on to the container's process.", valueName: "true|false"))
    var signalProxy = true

    @Option(name: .customLong("stop-signal"), help: ArgumentHelp("The signal `hoist stop` sends first (default: the image's STOPSIGNAL, else SIGTERM).", valueName: "signal"))
    var stopSignal: String?

    @Option(name: .customLong("stop-timeout"), help: ArgumentHelp("Seconds `hoist stop` waits before SIGKILL (default 10).", valueName: "seconds"))
    var stopTimeout: Int?

    @Flag(name: .customLong("init"), help: "Run a small init (tini or catatonit from PATH) as PID 1 to pass on signals and reap orphans.")
    var initProcess = false

    @Option(name: .customLong("tmpfs"), help: ArgumentHelp("Mount an empty tmpfs; repeatable.", valueName: "path[:options]"))
    var tmpfs: [String] = []

    @Option(name: .customLong("mount"), help: ArgumentHelp(
        "type=bind|volume|tmpfs,target=PATH[,source=PATH|NAME][,readonly][,tmpfs-size=BYTES][,tmpfs-mode=OCTAL]; repeatable.", valueName: "spec"))
    var mounts: [String] = []

    @Option(name: .customLong("ulimit"), help: ArgumentHelp("A process limit, e.g. nofile=1024:2048; repeatable.", valueName: "name=soft[:hard]"))
    var ulimits: [String] = []

    @Option(name: .customLong("shm-size"), help: ArgumentHelp("The size of /dev/shm (default 64m).", valueName: "bytes"))
    var shmSize: String?

    @Option(name: .customLong("device"), help: ArgumentHelp("Give the container a host device; repeatable.", valueName: "host[:container][:rwm]"))
    var devices: [String] = []

    @Option(name: [.short, .customLong("label")], help: ArgumentHelp("Set a label on the container; repeatable.", valueName: "name=value"))
    var labels: [String] = []

    @Option(name: .customLong("label-file"), help: ArgumentHelp("Read labels from a file of name=value lines; repeatable.", valueName: "file"))
    var labelFiles: [String] = []

    @Option(name: .customLong("restart"), help: ArgumentHelp(
        "Start it again when it ends: no, on-failure[:N], always, unless-stopped (by the monitor of kept containers, which takes a foreground run over too).",
        valueName: "policy"))
    var restart = "no"

    /// `64m`, `1g`, `512k` or plain bytes, as docker run reads sizes.
    static func bytes(_ text: String) throws -> Int64 {
        try bytes(text, option: "--memory")
    }

    /// A size given to `option`.
    static func bytes(_ text: String, option: String) throws -> Int64 {
        do {
            return try ByteSize.parse(text)
        } catch {
            throw ValidationError("\(option) \(text): \(error)")
        }
    }

    /// The options for `command` (empty: the image's), reading stdin now when `-i` without `-t`.
    func runOptions(command: [String]) throws -> RunOptions {
        let mounts = try volumes.map(VolumeSpecification.parse)
        var options = RunOptions(
            command: command.isEmpty ? nil : command,
            entrypoint: entrypoint.map { $0.isEmpty ? [] : [$0] }, environment: try process.resolvedEnvironment(),
            workingDirectory: process.workdir, user: process.user, network: ContainerNetwork(parsing: network), volumes: mounts,
            standardInput: interactive && !tty ? FileHandle.standardInput.readDataToEndOfFile() : nil)
        options.memoryBytes = try memory.map(Self.bytes)
        options.cpus = cpus
        options.pidsLimit = pidsLimit
        options.capabilitiesAdded = capabilitiesAdded
        options.capabilitiesDropped = capabilitiesDropped
        options.readOnlyRootFilesystem = readOnly
        options.securityOptions = securityOptions
        options.privileged = privileged
        options.hostname = hostname
        options.platform = try platform.map { try Platform(parsing: $0) }
        options.terminal = tty
        options.name = name
        try addNetworkOptions(to: &options)
        try addProcessHabits(to: &options)
        return options
    }

    /// `--sig-proxy`, `--stop-*`, `--init`, `--tmpfs`, `--mount`, `--ulimit`, `--shm-size`,
    /// `--device`, labels and `--restart`.
    private func addProcessHabits(to options: inout RunOptions) throws {
        options.signalProxy = signalProxy
        options.stopSignal = stopSignal
        options.stopTimeout = stopTimeout
        options.initProcess = initProcess
        do {
            options.mounts = try tmpfs.map(MountSpecification.tmpfs)
            for parsed in try mounts.map(MountSpecification.parse) {
                switch parsed {
                case .mount(let mount): options.mounts.append(mount)
                case .volume(let volume): options.volumes.append(volume)
                }
            }
            options.ulimits = try ulimits.map(ResourceLimit.init(parsing:))
            options.devices = try devices.map(DeviceMapping.init(parsing:))
            options.restartPolicy = try RestartPolicy(parsing: restart)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        options.shmSizeBytes = try shmSize.map { try Self.bytes($0, option: "--shm-size") }
        let labelEntries = try labelFiles.flatMap { try KeyValueFile.read($0, option: "--label-file", bare: { _ in nil }) }
            + labels.map { $0.contains("=") ? $0 : $0 + "=" }
        for entry in labelEntries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            options.labels[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
    }

    /// `-p`, `-P`, `--ip`, `--network-alias`, `--add-host`, `--dns…`.
    private func addNetworkOptions(to options: inout RunOptions) throws {
        do {
            options.publishedPorts = try publish.flatMap(PortMapping.parse)
            options.nameResolution.extraHosts = try addHosts.map(HostsEntry.init(parsingAddHost:))
        } catch {
            throw ValidationError("\(error)")
        }
        options.publishAllExposedPorts = publishAll
        if let ip {
            guard let address = IPv4Address(ip) else { throw ValidationError("--ip \(ip): not an IPv4 address") }
            options.address = address
        }
        options.networkAliases = networkAliases
        options.nameResolution.nameservers = dns
        options.nameResolution.searchDomains = dnsSearch
        options.nameResolution.options = dnsOptions
    }
}

/// What the process in a container runs with, for `run`, `create` and `exec` alike.
struct ProcessOptions: ParsableArguments {
    @Option(name: [.short, .customLong("env")], help: ArgumentHelp("Set an environment variable; repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Option(name: .customLong("env-file"), help: ArgumentHelp("Read variables from a file of NAME=value lines; repeatable.", valueName: "file"))
    var environmentFiles: [String] = []

    @Option(name: [.short, .customLong("workdir")], help: "The working directory inside the container.")
    var workdir: String?

    @Option(name: [.short, .long], help: "The user: name, uid, uid:gid or name:group.")
    var user: String?

    /// The env files' variables, then `-e`'s, as docker orders them; a name alone takes the
    /// host's value, and is left out when the host has none.
    func resolvedEnvironment() throws -> [String] {
        try environmentFiles.flatMap { try KeyValueFile.read($0, option: "--env-file", bare: KeyValueFile.hostValue) }
            + KeyValueFile.resolvingHost(environment)
    }
}
