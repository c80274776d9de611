import ArgumentParser
import Foundation
import Hoist

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container; hoist exits with the container's exit code.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Remove the container when it exits (always the case for now).")
    var rm = false

    @Option(name: [.short, .customLong("env")], help: ArgumentHelp("Set an environment variable; repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Option(name: [.short, .customLong("workdir")], help: "The working directory inside the container.")
    var workdir: String?

    @Option(name: [.short, .long], help: "The user: name, uid, uid:gid or name:group.")
    var user: String?

    @Option(name: .long, help: "none (default) or host.")
    var network: String = "none"

    @Option(name: .long, help: ArgumentHelp("Override the image's ENTRYPOINT (\"\" clears it).", valueName: "command"))
    var entrypoint: String?

    @Option(name: [.short, .customLong("volume")], help: ArgumentHelp("Bind a host path; repeatable.", valueName: "host:container[:ro]"))
    var volumes: [String] = []

    @Flag(name: [.short, .customLong("interactive")], help: "Pass standard input to the container.")
    var interactive = false

    @Option(name: [.short, .long], help: ArgumentHelp("Memory limit, e.g. 64m or 1g.", valueName: "bytes"))
    var memory: String?

    @Option(name: .long, help: ArgumentHelp("CPU time as a number of CPUs, e.g. 0.5.", valueName: "number"))
    var cpus: Double?

    @Option(name: .customLong("pids-limit"), help: ArgumentHelp("The most processes the container may have.", valueName: "number"))
    var pidsLimit: Int64?

    @Argument(help: "The image.")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    /// `64m`, `1g`, `512k` or plain bytes, as docker run reads sizes.
    static func bytes(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        let lower = text.lowercased()
        if let unit = lower.last, let factor = units[unit], let number = Int64(lower.dropLast()) { return number * factor }
        guard let number = Int64(lower) else { throw ValidationError("--memory \(text): expected a size such as 64m") }
        return number
    }

    func run() async throws {
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
        let status = try await reportingErrors {
            let input = interactive ? FileHandle.standardInput.readDataToEndOfFile() : nil
            var options = RunOptions(
                command: command.isEmpty ? nil : command,
                entrypoint: entrypoint.map { $0.isEmpty ? [] : [$0] }, environment: environment, workingDirectory: workdir,
                user: user, hostNetwork: network == "host", volumes: mounts, standardInput: input)
            options.memoryBytes = try memory.map(Self.bytes)
            options.cpus = cpus
            options.pidsLimit = pidsLimit
            return try await global.client().run(
                image, options,
                standardOutput: { FileHandle.standardOutput.write($0) },
                standardError: { FileHandle.standardError.write($0) })
        }
        if status != 0 { throw ExitCode(status) }
    }
}
