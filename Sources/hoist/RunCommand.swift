import ArgumentParser
import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistRuntime

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container; hoist exits with the container's exit code.",
        discussion: """
            The container is kept after it ends (see `hoist ps -a`, `hoist logs`, `hoist rm`) unless \
            --rm is given. With -d it runs in the background and its ID is printed. In the \
            foreground, the signals hoist gets go to the container's process (--sig-proxy); \
            hoist waits for it and, with --rm, removes it however it ends. A --rm container \
            started with -d is removed by the next hoist command after it ends.
            """,
        // -h is the hostname, as in docker run.
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Remove the container when it exits.")
    var rm = false

    @Flag(name: [.short, .customLong("detach")], help: "Run in the background and print the container's ID.")
    var detach = false

    @Option(name: [.short, .customLong("attach")], help: ArgumentHelp("Show only these streams: stdout, stderr (stdin with -i); repeatable.", valueName: "stream"))
    var attach: [String] = []

    @Option(name: .long, help: ArgumentHelp("Pull the image first: missing (the default), always or never.", valueName: "policy"))
    var pull = "missing"

    @OptionGroup var container: ContainerOptions

    @Argument(help: "The image.")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        if detach && (container.tty || container.interactive) {
            throw ValidationError("-d cannot be combined with -i or -t: a detached container has no terminal or input")
        }
        if detach && !attach.isEmpty { throw ValidationError("conflicting options: -a and -d") }
        // A policy that does not parse is reported as such, when the options are read.
        if rm, let policy = try? RestartPolicy(parsing: container.restart), policy != .no {
            throw ValidationError("conflicting options: cannot specify both --restart and --rm")
        }
        for stream in attach where !["stdin", "stdout", "stderr"].contains(stream.lowercased()) {
            throw ValidationError("-a \(stream): expected stdin, stdout or stderr")
        }
        guard PullPolicy(rawValue: pull) != nil else { throw ValidationError("--pull \(pull): expected missing, always or never") }
    }

    func run() async throws {
        let status = try await reportingErrors(status: containerFailureStatus) { () -> Int32 in
            var options = try container.runOptions(command: command)
            options.autoRemove = rm
            let client = try await global.client()
            await warnOfUnappliedLimits(options.memoryBytes != nil || options.cpus != nil || options.pidsLimit != nil, on: client)
            let backend = client.containerBackend
            try await pullIfNeeded(backend, policy: PullPolicy(rawValue: pull) ?? .missing)
            let streams = Set(attach.map { $0.lowercased() })
            let showsOutput = streams.isEmpty || streams.contains("stdout")
            let showsErrors = streams.isEmpty || streams.contains("stderr")
            let output: @Sendable (Data) -> Void = { data in if showsOutput { FileHandle.standardOutput.write(data) } }
            let error: @Sendable (Data) -> Void = { data in if showsErrors { FileHandle.standardError.write(data) } }
            let id = try await backend.createContainer(image, options)
            if detach {
                do {
                    try await backend.startContainer(id)
                } catch {
                    // docker run -d leaves a container that failed to start; it is of no use here.
                    try? await backend.removeContainer(id, force: true)
                    throw error
                }
                print(id)
                return 0
            }
            let code: Int32
            do {
                code = try await backend.runContainer(id, standardInput: options.standardInput, standardOutput: output, standardError: error)
            } catch {
                if rm { try? await backend.removeContainer(id, force: true, volumes: true) }
                throw error
            }
            if rm { try? await backend.removeContainer(id, force: true, volumes: true) }
            return code
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// `--pull`: docker run's "Unable to find image … locally" and a pull when it is missing
    /// (or always); with `never`, a missing image is Docker's "No such image" before anything
    /// is made. Both name the image as Docker shows it (`busybox:latest`).
    private func pullIfNeeded(_ backend: any ContainerBackend, policy: PullPolicy) async throws {
        let platform = try container.platform.map { try Platform(parsing: $0) }
        let present = await backend.imageExists(image, platform: platform)
        let shown = (try? Reference(parsing: image))?.familiarString ?? image
        switch policy {
        case .never:
            // Present for another platform: the create says which platforms it has.
            let presentForAnother = platform != nil ? await backend.imageExists(image) : false
            guard present || presentForAnother else { throw ValidationError("No such image: \(shown)") }
        case .missing:
            guard !present else { return }
            FileHandle.standardError.write(Data("Unable to find image '\(shown)' locally\n".utf8))
            _ = try await backend.pullImage(image, platform: platform, configuration: RegistryConfiguration()) { _ in }
        case .always:
            _ = try await backend.pullImage(image, platform: platform, configuration: RegistryConfiguration()) { _ in }
        }
    }
}
