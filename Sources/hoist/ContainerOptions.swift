import ArgumentParser
import Foundation
import Hoist
import HoistOCI

/// The flags `hoist run` and `hoist create` share, named as `docker run` names them.
struct ContainerOptions: ParsableArguments {
    @Option(name: .long, help: "A name for the container (default: a made-up one).")
    var name: String?

    @OptionGroup var process: ProcessOptions

    @Option(name: .long, help: "none (default) or host.")
    var network: String = "none"

    @Option(name: .long, help: ArgumentHelp("Override the image's ENTRYPOINT (\"\" clears it).", valueName: "command"))
    var entrypoint: String?

    @Option(name: [.short, .customLong("volume")], help: ArgumentHelp("Bind a host path; repeatable.", valueName: "host:container[:ro]"))
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

    /// `64m`, `1g`, `512k` or plain bytes, as docker run reads sizes.
    static func bytes(_ text: String) throws -> Int64 {
        do {
            return try ByteSize.parse(text)
        } catch {
            throw ValidationError("--memory \(text): \(error)")
        }
    }

    /// The options for `command` (empty: the image's), reading stdin now when `-i` without `-t`.
    func runOptions(command: [String]) throws -> RunOptions {
        guard network == "none" || network == "host" else {
            throw ValidationError("--network \(network): this machine supports none and host")
        }
        let mounts = try volumes.map { specification -> (host: String, container: String, readOnly: Bool) in
            let parts = specification.split(separator: ":").map(String.init)
            guard parts.count == 2 || (parts.count == 3 && ["ro", "rw"].contains(parts[2])) else {
                throw ValidationError("-v \(specification): expected HOST:CONTAINER[:ro]")
            }
            return (parts[0], parts[1], parts.count == 3 && parts[2] == "ro")
        }
        var options = RunOptions(
            command: command.isEmpty ? nil : command,
            entrypoint: entrypoint.map { $0.isEmpty ? [] : [$0] }, environment: process.environment,
            workingDirectory: process.workdir, user: process.user, hostNetwork: network == "host", volumes: mounts,
            standardInput: interactive && !tty ? FileHandle.standardInput.readDataToEndOfFile() : nil)
        options.memoryBytes = try memory.map(Self.bytes)
        options.cpus = cpus
        options.pidsLimit = pidsLimit
        options.capabilitiesAdded = capabilitiesAdded
        options.capabilitiesDropped = capabilitiesDropped
        options.readOnlyRootFilesystem = readOnly
        options.terminal = tty
        options.name = name
        return options
    }
}

/// What the process in a container runs with, for `run`, `create` and `exec` alike.
struct ProcessOptions: ParsableArguments {
    @Option(name: [.short, .customLong("env")], help: ArgumentHelp("Set an environment variable; repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Option(name: [.short, .customLong("workdir")], help: "The working directory inside the container.")
    var workdir: String?

    @Option(name: [.short, .long], help: "The user: name, uid, uid:gid or name:group.")
    var user: String?
}
