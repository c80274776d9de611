public import Foundation
import HoistRuntime
import Synchronization

/// A container to be made from an ``Image`` with its options.
///
/// Every method throws ``ContainerError``, naming the operation that failed and keeping its
/// cause. Two ways to use it:
/// - ``run()`` runs it to its end and returns its output and exit code — the output too when
///   the exit code is not zero, for callers that read compiler errors and the like — and
///   discards its files. Cancelling the task kills the container.
/// - ``start()`` makes a kept container (as `docker run -d`) and starts it in the background;
///   then ``wait()``, ``logs()``, ``exec(_:)``, ``kill(signal:)``, ``copyIn(archive:into:)``,
///   ``copyOut(path:)``, ``commit(as:changes:)`` and finally ``remove(force:)``.
///
/// ```swift
/// let container = client.image("busybox").instantiate(.command(["sleep", "60"]))
/// try await container.start()
/// let run = try await container.exec(["cat", "/etc/hostname"])
/// try await container.remove(force: true)
/// ```
public final class Container: Sendable {
    public let image: Image
    public let options: [ContainerOption]
    private let createdID = Mutex<String?>(nil)

    init(image: Image, options: [ContainerOption]) {
        self.image = image
        self.options = options
    }

    private var backend: any ContainerBackend { image.client.containerBackend }

    /// The kept container's ID once ``create()`` or ``start()`` made it.
    public var id: String? { createdID.withLock { $0 } }

    /// Runs the container to its end. Throws only when it cannot be run at all (no such image,
    /// a command missing from it, a bad option); a failing command is a result, not an error.
    public func run() async throws -> ContainerRun {
        let collector = OutputCollector()
        let code = try await ContainerError.during(.run) {
            try await backend.run(
                image.name, try runOptions(),
                standardOutput: { collector.append($0, isError: false) },
                standardError: { collector.append($0, isError: true) })
        }
        return collector.result(exitCode: code)
    }

    /// Makes the kept container (once) and returns its ID.
    @discardableResult
    public func create() async throws -> String {
        if let id { return id }
        let made = try await ContainerError.during(.create) { try await backend.createContainer(image.name, try runOptions()) }
        let existing = createdID.withLock { id -> String? in
            if let id { return id }
            id = made
            return nil
        }
        // Another task made it first: this one's twin goes.
        if let existing {
            try? await backend.removeContainer(made, force: true, volumes: true)
            return existing
        }
        return made
    }

    /// Makes the kept container if needed and starts it in the background.
    public func start() async throws {
        let id = try await create()
        try await ContainerError.during(.start) { try await backend.startContainer(id) }
    }

    /// Waits for the started container to end and returns its exit code.
    public func wait() async throws -> Int32 {
        let id = try existingID(for: .wait)
        return try await ContainerError.during(.wait) { try await backend.waitContainer(id) }
    }

    /// What it has written so far.
    public func logs() async throws -> ContainerLogs {
        let id = try existingID(for: .logs)
        return try await ContainerError.during(.logs) { try await backend.containerLogs(id) }
    }

    /// Its state as `hoist ps` shows it.
    public func inspect() async throws -> ContainerSummary {
        let id = try existingID(for: .inspect)
        return try await ContainerError.during(.inspect) { try await backend.container(id) }
    }

    /// Runs `command` in the running container and returns its output and exit code.
    public func exec(_ command: [String], environment: [String: String] = [:], user: String? = nil,
                     workingDirectory: String? = nil, standardInput: Data? = nil) async throws -> ContainerRun {
        var options = RunOptions(
            environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, workingDirectory: workingDirectory,
            user: user, standardInput: standardInput)
        options.terminal = false
        let collector = OutputCollector()
        let id = try existingID(for: .exec)
        let code = try await ContainerError.during(.exec) {
            try await backend.exec(
                id, command, options,
                standardOutput: { collector.append($0, isError: false) },
                standardError: { collector.append($0, isError: true) })
        }
        return collector.result(exitCode: code)
    }

    /// Sends `signal` (`KILL` by default, `TERM`, `HUP` …) to its process.
    public func kill(signal: String = "KILL") async throws {
        let id = try existingID(for: .kill)
        try await ContainerError.during(.kill) { try await backend.killContainer(id, signal: signal) }
    }

    /// Removes it; a running container only with `force` (which kills it); with `volumes`, its
    /// anonymous volumes too (`docker rm -v`).
    public func remove(force: Bool = false, volumes: Bool = false) async throws {
        let id = try existingID(for: .remove)
        try await ContainerError.during(.remove) { try await backend.removeContainer(id, force: force, volumes: volumes) }
        createdID.withLock { $0 = nil }
    }

    /// Extracts the tar `archive` into `directory` of the container (made if needed).
    public func copyIn(archive: Data, into directory: String) async throws {
        let id = try await create()
        try await ContainerError.during(.copy) { try await backend.copyIn(id, archive: archive, into: directory) }
    }

    /// A tar of `path` in the container, its top entry named as the path's last component.
    public func copyOut(path: String) async throws -> Data {
        let id = try existingID(for: .copy)
        return try await ContainerError.during(.copy) { try await backend.copyOut(id, path: path) }
    }

    /// An image of the container's files and settings, named `reference` when given, as
    /// `docker commit` makes it (`changes` its `--change`, `message` `-m`, `author` `-a`);
    /// returns the image ID.
    @discardableResult
    public func commit(as reference: String? = nil, changes: [String] = [], message: String? = nil,
                       author: String? = nil) async throws -> String {
        let id = try existingID(for: .commit)
        return try await ContainerError.during(.commit) {
            try await backend.commit(id, as: reference, changes: changes, message: message, author: author)
        }
    }

    private func existingID(for operation: ContainerError.Operation) throws -> String {
        guard let id else {
            throw ContainerError(operation, .failedPrecondition, "the container has not been created: start() it first")
        }
        return id
    }

    func runOptions() throws -> RunOptions {
        var run = RunOptions()
        for option in options {
            switch option {
            case .command(let command): run.command = command
            case .shell(let script): run.command = ["/bin/sh", "-c", script]
            case .shellCommand(let shell, let script):
                guard let program = shell.first, !program.isEmpty else {
                    throw ClientError(.invalidArgument, "a shell-form command needs a shell: .shell([\"/bin/sh\", \"-c\"], script)")
                }
                run.command = shell + [script]
            case .entrypoint(let entrypoint): run.entrypoint = entrypoint
            case .environment(let variables):
                run.environment += variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            case .volume(let host, let container, let readOnly): run.volumes.append((host, container, readOnly))
            case .anonymousVolume(let path): run.volumes.append(("", path, false))
            case .workingDirectory(let directory): run.workingDirectory = directory
            case .user(let user): run.user = user
            case .hostNetwork: run.network = .host
            case .network(let name): run.network = ContainerNetwork(parsing: name)
            case .publish(let hostPort, let containerPort):
                run.publishedPorts.append(PortMapping(hostPort: hostPort, containerPort: containerPort))
            case .publishSpecification(let specification): run.publishedPorts += try PortMapping.parse(specification)
            case .publishAllExposedPorts: run.publishAllExposedPorts = true
            case .networkAlias(let alias): run.networkAliases.append(alias)
            case .addHost(let name, let address): run.nameResolution.extraHosts.append(HostsEntry(address: address, names: [name]))
            case .dns(let server): run.nameResolution.nameservers.append(server)
            case .dnsSearch(let domain): run.nameResolution.searchDomains.append(domain)
            case .standardInput(let data): run.standardInput = data
            case .memory(let bytes): run.memoryBytes = bytes
            case .cpus(let cpus): run.cpus = cpus
            case .pidsLimit(let limit): run.pidsLimit = limit
            case .capabilityAdded(let capability): run.capabilitiesAdded.append(capability)
            case .capabilityDropped(let capability): run.capabilitiesDropped.append(capability)
            case .readOnlyRootFilesystem: run.readOnlyRootFilesystem = true
            case .name(let name): run.name = name
            case .securityOption(let option): run.securityOptions.append(option)
            case .privileged: run.privileged = true
            case .hostname(let hostname): run.hostname = hostname
            case .initProcess: run.initProcess = true
            case .tmpfs(let path): run.mounts.append(.tmpfsWithOptions(destination: path, options: []))
            case .label(let key, let value): run.labels[key] = value
            case .restart(let policy): run.restartPolicy = policy
            }
        }
        return run
    }
}

/// Output chunks from both streams, in arrival order.
private final class OutputCollector: Sendable {
    private struct Chunks {
        var standardOutput = Data()
        var standardError = Data()
        var combined = Data()
    }

    private let chunks = Mutex(Chunks())

    func append(_ data: Data, isError: Bool) {
        chunks.withLock { chunks in
            if isError { chunks.standardError.append(data) } else { chunks.standardOutput.append(data) }
            chunks.combined.append(data)
        }
    }

    func result(exitCode: Int32) -> ContainerRun {
        chunks.withLock {
            ContainerRun(
                exitCode: exitCode, standardOutputData: $0.standardOutput, standardErrorData: $0.standardError,
                combinedData: $0.combined)
        }
    }
}
