package import Foundation
import HoistArchive
package import HoistBackend
import HoistBuild
package import HoistOCI
import HoistStore
package import HoistDockerEngine
import HoistRuntime
package import HoistRegistry

/// Images and containers of a Docker Engine, through its API. The connection is made on first
/// use and kept.
package actor DockerBackend: ContainerBackend {
    private let host: DockerHost?
    private var connection: EngineClient?

    package init(host: DockerHost? = nil) {
        self.host = host
    }

    /// The connection to the daemon, made on first use.
    package func engine() async throws -> EngineClient {
        if let connection { return connection }
        let made = try await EngineClient.connect(host)
        connection = made
        return made
    }

    /// Closes the connection; the backend is not used afterwards.
    package func close() async {
        try? await connection?.shutdown()
        connection = nil
    }

    package func buildPlacement(_ request: BuildPlacementRequest) async throws -> any BuildPlacement {
        DockerPlacement(engine: try await engine(), request: request)
    }

    package func imageExists(_ name: String, platform: Platform?) async -> Bool {
        guard let engine = try? await engine(), let details = try? await engine.inspectImage(name) else { return false }
        guard let platform else { return true }
        // The daemon keeps one platform per name: the one it has must be the one asked for.
        let present = Platform(os: details.os ?? "linux", architecture: details.architecture ?? "", variant: details.variant)
        return PlatformMatcher(compatibleWith: platform).matches(present)
    }

    /// Pulls through the daemon with the credentials Hoist keeps for the registry.
    package func pullImage(_ name: String, platform: Platform?, configuration: RegistryConfiguration,
                           progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        _ = try await pull(name, platform: platform, configuration: configuration) { progress(.daemon($0)) }
        return ImageTransfer(reference: try StoreImages.parseReference(name), digest: nil, size: nil)
    }

    /// Pushes through the daemon with the credentials Hoist keeps for the registry.
    package func pushImage(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                           progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let pushed = try await push(name, to: destination, configuration: configuration) { progress(.daemon($0)) }
        return ImageTransfer(reference: try StoreImages.parseReference(pushed.reference), digest: pushed.digest, size: pushed.size)
    }

    /// Hands the whole build to the daemon's own builder (`hoist build --delegate`): the
    /// context goes as a tar, with the Dockerfile inside it; returns the image ID.
    package func delegateBuild(_ options: BuildOptions, output: @Sendable (String) -> Void = { _ in }) async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-delegate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let context = options.context.standardizedFileURL
        var dockerfileName = "Dockerfile"
        var extra: URL?
        if let dockerfile = options.dockerfile?.standardizedFileURL {
            if dockerfile.path.hasPrefix(context.path + "/") {
                dockerfileName = String(dockerfile.path.dropFirst(context.path.count + 1))
            } else {
                // A Dockerfile outside the context travels in it under a name of its own.
                dockerfileName = ".hoist-dockerfile-\(UUID().uuidString)"
                extra = dockerfile
            }
        }
        var root = context
        if let extra {
            // A Dockerfile from elsewhere joins a copy of the context.
            root = scratch.appendingPathComponent("staged")
            try FileManager.default.copyItem(at: context, to: root)
            try FileManager.default.copyItem(at: extra, to: root.appendingPathComponent(dockerfileName))
        }
        let archive = scratch.appendingPathComponent("context.tar")
        var sink = try FileByteSink(path: archive.path)
        try LayerDiffer().diff(lower: scratch.appendingPathComponent("empty").path, upper: root.path, to: &sink)
        try sink.close()
        let request = EngineClient.BuildRequest(
            context: archive, dockerfile: dockerfileName, tags: options.tags, buildArguments: options.buildArguments,
            target: options.target, labels: options.labels, noCache: options.noCache,
            networkMode: options.defaultNetwork == .none ? "none" : "host")
        return try await engine().build(request, output: output)
    }

    /// The Engine's `NanoCpus` for a CFS quota: the same CPU share the native backend sets.
    static func nanoCPUs(_ cpu: (quota: Int64, period: UInt64)) -> Int64 {
        cpu.quota * 1_000_000_000 / Int64(cpu.period)
    }

    /// The Engine's container config for `options` on `image`: every run option in the
    /// Engine's terms, as Docker's CLI sends them; what the Engine has no field for is refused
    /// by name rather than dropped.
    private func config(_ image: String, _ options: RunOptions) throws -> EngineContainerConfig {
        guard !options.terminal else {
            throw ClientError(.unsupported, "the docker backend does not give containers a terminal yet")
        }
        guard !options.nameResolution.readOnly else {
            throw ClientError(.unsupported, "the docker backend cannot mount /etc/hosts and /etc/resolv.conf read-only")
        }
        let networkMode = Self.networkMode(options.network)
        var hostConfig = EngineContainerConfig.HostConfig(
            binds: nil, networkMode: networkMode, memory: options.memoryBytes,
            nanoCpus: try options.cpus.map { Self.nanoCPUs(try ResourceLimits.cpuQuota(cpus: $0)) }, pidsLimit: options.pidsLimit,
            capAdd: options.capabilitiesAdded.isEmpty ? nil : options.capabilitiesAdded,
            capDrop: options.capabilitiesDropped.isEmpty ? nil : options.capabilitiesDropped,
            readonlyRootfs: options.readOnlyRootFilesystem ? true : nil, autoRemove: options.autoRemove ? true : nil,
            privileged: options.privileged ? true : nil, securityOpt: try Self.engineSecurityOptions(options.securityOptions))
        // `-v`: host paths and named volumes as binds; anonymous volumes as volume mounts
        // without a source, as `--mount type=volume,target=…` sends them.
        let binds = options.volumes.filter { !$0.host.isEmpty }.map { "\($0.host):\($0.container)" + ($0.readOnly ? ":ro" : "") }
        hostConfig.binds = binds.isEmpty ? nil : binds
        var tmpfs: [String: String] = [:]
        typealias HostConfig = EngineContainerConfig.HostConfig
        var mounts = options.volumes.filter { $0.host.isEmpty }.map {
            HostConfig.Mount(type: "volume", source: "", target: $0.container, readOnly: $0.readOnly ? true : nil)
        }
        for mount in options.mounts {
            switch mount {
            case .bind(let source, let destination, let readOnly):
                mounts.append(HostConfig.Mount(type: "bind", source: source, target: destination, readOnly: readOnly ? true : nil))
            case .tmpfs(let destination, let size): tmpfs[destination] = size.map { "size=\($0)" } ?? ""
            case .tmpfsWithOptions(let destination, let mountOptions): tmpfs[destination] = mountOptions.joined(separator: ",")
            }
        }
        hostConfig.tmpfs = tmpfs.isEmpty ? nil : tmpfs
        hostConfig.mounts = mounts.isEmpty ? nil : mounts
        // `-p`, `-P`: published ports, each also exposed, as Docker's CLI sends them.
        var bindings: [String: [HostConfig.PortBinding]] = [:]
        for port in options.publishedPorts {
            bindings["\(port.containerPort)/\(port.transport.rawValue)", default: []].append(
                HostConfig.PortBinding(hostIp: port.hostAddress?.description ?? "", hostPort: port.hostPort == 0 ? "" : String(port.hostPort)))
        }
        hostConfig.portBindings = bindings.isEmpty ? nil : bindings
        hostConfig.publishAllPorts = options.publishAllExposedPorts ? true : nil
        let resolution = options.nameResolution
        let extraHosts = resolution.extraHosts.flatMap { entry in entry.names.map { "\($0):\(entry.address)" } }
        hostConfig.extraHosts = extraHosts.isEmpty ? nil : extraHosts
        hostConfig.dns = resolution.nameservers.isEmpty ? nil : resolution.nameservers
        hostConfig.dnsSearch = resolution.searchDomains.isEmpty ? nil : resolution.searchDomains
        hostConfig.dnsOptions = resolution.options.isEmpty ? nil : resolution.options
        hostConfig.`init` = options.initProcess ? true : nil
        let ulimits = options.ulimits.map { HostConfig.Ulimit(name: $0.name, soft: $0.soft, hard: $0.hard) }
        hostConfig.ulimits = ulimits.isEmpty ? nil : ulimits
        hostConfig.shmSize = options.shmSizeBytes
        let devices = options.devices.map {
            HostConfig.Device(pathOnHost: $0.hostPath, pathInContainer: $0.containerPath, cgroupPermissions: $0.permissions)
        }
        hostConfig.devices = devices.isEmpty ? nil : devices
        hostConfig.restartPolicy = Self.restartPolicy(options.restartPolicy)
        var config = EngineContainerConfig(
            image: image, cmd: options.command, entrypoint: options.entrypoint,
            env: options.environment.isEmpty ? nil : options.environment, workingDir: options.workingDirectory, user: options.user,
            standardInput: options.standardInput != nil, labels: options.labels.isEmpty ? nil : options.labels,
            hostConfig: hostConfig, hostname: options.hostname)
        config.exposedPorts = bindings.isEmpty ? nil : bindings.mapValues { _ in EngineContainerConfig.EmptyObject() }
        config.stopSignal = options.stopSignal
        config.stopTimeout = options.stopTimeout
        if options.address != nil || !options.networkAliases.isEmpty {
            guard case .bridge = options.network else {
                throw ClientError(.invalidArgument, "--ip and --network-alias need a user-defined network, not --network \(networkMode)")
            }
            typealias Endpoint = EngineContainerConfig.NetworkingConfig.Endpoint
            config.networkingConfig = EngineContainerConfig.NetworkingConfig(endpointsConfig: [
                networkMode: Endpoint(
                    ipamConfig: options.address.map { Endpoint.IPAMConfig(ipv4Address: $0.description) },
                    aliases: options.networkAliases.isEmpty ? nil : options.networkAliases)
            ])
        }
        return config
    }

    /// `--network` as the Engine names it: Hoist's default bridge is the daemon's own default
    /// network (`default`: what `docker run` without `--network` gets), others by name.
    static func networkMode(_ network: ContainerNetwork) -> String {
        switch network {
        case .none: "none"
        case .host: "host"
        case .bridge(let name): name == NetworkDefinition.defaultName ? "default" : name
        }
    }

    /// `--restart` as the Engine takes it.
    static func restartPolicy(_ policy: RestartPolicy) -> EngineContainerConfig.HostConfig.RestartPolicy? {
        switch policy {
        case .no: nil
        case .always: EngineContainerConfig.HostConfig.RestartPolicy(name: "always")
        case .unlessStopped: EngineContainerConfig.HostConfig.RestartPolicy(name: "unless-stopped")
        case .onFailure(let most): EngineContainerConfig.HostConfig.RestartPolicy(name: "on-failure", maximumRetryCount: most)
        }
    }

    /// `--security-opt` values as the Engine takes them: a seccomp profile's file is sent as its
    /// contents, as Docker's CLI sends it; the values are checked as the native backend checks them.
    static func engineSecurityOptions(_ values: [String]) throws -> [String]? {
        guard !values.isEmpty else { return nil }
        _ = try SecurityOptions.parse(values)
        return try values.map { value in
            guard value.hasPrefix("seccomp"), let separator = value.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return value }
            let path = String(value[value.index(after: separator)...])
            guard path != "unconfined" else { return value }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ClientError(.notFound, "cannot read the seccomp profile \(path)")
            }
            return "seccomp=" + String(decoding: contents, as: UTF8.self)
        }
    }

    package func run(_ image: String, _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
             standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        // Host paths must be there; names are the daemon's volumes, made on first use.
        for volume in options.volumes where volume.host.hasPrefix("/") && !FileManager.default.fileExists(atPath: volume.host) {
            throw ClientError(.notFound, "volume source \(volume.host) does not exist")
        }
        let engine = try await engine()
        var config = try config(image, options)
        // The output goes to the attached stream only: a log of it would cost the daemon's disk.
        config.hostConfig.logConfig = .init(type: "none")
        // This run removes the container itself once it has its exit code; the daemon's own
        // removal would race it (and the exit code).
        config.hostConfig.autoRemove = nil
        let id = try await engine.createContainer(config, platform: options.platform?.description)
        do {
            let code = try await withTaskCancellationHandler {
                try await engine.attach(id, standardInput: options.standardInput) { stream, payload in
                    if stream == .standardError { standardError(payload) } else { standardOutput(payload) }
                } whenAttached: {
                    try await engine.startContainer(id)
                }
                return try await engine.waitContainer(id)
            } onCancel: {
                Task { try? await engine.removeContainer(id, force: true) }
            }
            try Task.checkCancellation()
            try await engine.removeContainer(id, force: true)
            return code
        } catch {
            // A cancelled task's own requests fail at once: the removal runs in a task of its
            // own, awaited, so the container is gone when this returns.
            await Task { try? await engine.removeContainer(id, force: true) }.value
            if Task.isCancelled { throw ClientError(.cancelled, "container \(id) was removed because its task was cancelled") }
            throw Self.startFailure(error)
        }
    }

    /// A daemon's refusal to start a command that does not exist reads as `notFound`, as the
    /// native backend reports it.
    private static func startFailure(_ error: any Error) -> any Error {
        guard let engineError = error as? EngineError, engineError.status == 400 || engineError.status == 500,
            let failure = ProcessStartFailure.classify(engineError.message)
        else { return error }
        return RuntimeError(
            failure == .commandNotFound ? .notFound : .failedPrecondition, engineError.message, underlying: engineError,
            startFailure: failure)
    }

    package func createContainer(_ image: String, _ options: RunOptions) async throws -> String {
        try await engine().createContainer(try config(image, options), name: options.name, platform: options.platform?.description)
    }

    package func startContainer(_ id: String) async throws {
        do {
            try await engine().startContainer(id)
        } catch {
            throw Self.startFailure(error)
        }
    }

    package func runContainer(_ id: String, standardInput: Data?, standardOutput: @escaping @Sendable (Data) -> Void,
                      standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let engine = try await engine()
        // In place before the start, as Docker's CLI asks: a container the daemon removes when
        // it ends (`--rm`) cannot be waited for afterwards, and a `next-exit` wait that reached
        // the daemon after a quick container ended would wait for an exit that never comes.
        let exit = try await engine.beginWait(id, condition: "next-exit")
        try await engine.attach(id, standardInput: standardInput) { stream, payload in
            if stream == .standardError { standardError(payload) } else { standardOutput(payload) }
        } whenAttached: {
            try await self.startContainer(id)
        }
        return try await exit.exitCode()
    }

    package func waitContainer(_ id: String) async throws -> Int32 { try await engine().waitContainer(id) }

    package func stopContainer(_ id: String, timeout: Int?) async throws { try await engine().stopContainer(id, timeout: timeout) }

    package func containers(all: Bool) async throws -> [ContainerSummary] {
        var summaries: [ContainerSummary] = []
        for id in try await engine().containerIDs(all: all) {
            // One that went between the list and this look is left out.
            if let summary = try? await container(id) { summaries.append(summary) }
        }
        return summaries.sorted { $0.created < $1.created }
    }

    package func containerLogs(_ id: String) async throws -> ContainerLogs {
        var logs = ContainerLogs(standardOutputData: Data(), standardErrorData: Data())
        try await engine().containerLogs(id) { stream, payload in
            if stream == .standardError { logs.standardErrorData.append(payload) } else { logs.standardOutputData.append(payload) }
        }
        return logs
    }

    package func container(_ id: String) async throws -> ContainerSummary {
        let details = try await engine().inspectContainer(id)
        let state: ContainerState = switch details.state.status {
        case "created": .created
        case "running", "paused", "restarting": .running
        default: .exited(details.state.exitCode)
        }
        var summary = ContainerSummary(
            id: details.id, name: details.name.hasPrefix("/") ? String(details.name.dropFirst()) : details.name,
            image: details.config.image ?? details.image, imageID: (try? Digest(parsing: details.image)) ?? Digest(of: Data()),
            command: details.path.isEmpty ? details.args : [details.path] + details.args, created: details.createdDate ?? Date(),
            state: state, startedAt: details.state.startedDate, finishedAt: state.isRunning ? nil : details.state.finishedDate)
        summary.paused = details.state.status == "paused"
        return summary
    }

    /// The daemon applies the options itself. With `timestamps` each line comes with the
    /// daemon's own RFC 3339 prefix, passed on as it is (so the entries carry no time of their own).
    package func containerLogs(_ id: String, _ options: LogOptions, handler: @escaping @Sendable (LogEntry) -> Void) async throws {
        try await engine().containerLogs(
            id, follow: options.follow, tail: options.tail, since: options.since, until: options.until, timestamps: options.timestamps
        ) { stream, payload in
            handler(LogEntry(stream: stream == .standardError ? .standardError : .standardOutput, data: payload, nanoseconds: nil))
        }
    }

    package func containerSize(_ id: String) async throws -> ContainerSize {
        let size = try await engine().containerSize(id)
        return ContainerSize(writable: size.writable, rootFileSystem: size.rootFileSystem)
    }

    package func pauseContainer(_ id: String) async throws { try await engine().pauseContainer(id) }
    package func unpauseContainer(_ id: String) async throws { try await engine().unpauseContainer(id) }
    package func renameContainer(_ id: String, to name: String) async throws { try await engine().renameContainer(id, to: name) }

    package func containerProcesses(_ id: String, psArguments: [String]) async throws -> ContainerProcesses {
        let list = try await engine().top(id, psArguments: psArguments)
        return ContainerProcesses(titles: list.titles, processes: list.processes)
    }

    /// The daemon's sample reckoned as Docker's CLI reckons it (`calculateCPUPercentUnix`,
    /// memory less the inactive file cache, every network and the block devices' read/write).
    package func containerStats(_ id: String) async throws -> ContainerStats {
        let stats = try await engine().stats(id)
        guard let cpu = stats.cpu else { return .zero }
        let containerDelta = Double(cpu.cpuUsage?.totalUsage ?? 0) - Double(stats.previousCPU?.cpuUsage?.totalUsage ?? 0)
        let systemDelta = Double(cpu.systemCPUUsage ?? 0) - Double(stats.previousCPU?.systemCPUUsage ?? 0)
        let online = cpu.onlineCPUs ?? cpu.cpuUsage?.percpuUsage?.count ?? 1
        let usage = stats.memory?.usage ?? 0
        let memoryStats = stats.memory?.stats ?? [:]
        let inactive = memoryStats["total_inactive_file"] ?? memoryStats["inactive_file"] ?? 0
        let entries = stats.blockIO?.serviceBytes ?? []
        return ContainerStats(
            cpuPercent: ContainerStats.cpuPercent(containerDelta: containerDelta, systemDelta: systemDelta, onlineCPUs: online),
            memoryUsage: inactive < usage ? usage - inactive : usage, memoryLimit: stats.memory?.limit ?? 0,
            networkReceived: (stats.networks ?? [:]).values.reduce(0) { $0 + ($1.received ?? 0) },
            networkSent: (stats.networks ?? [:]).values.reduce(0) { $0 + ($1.sent ?? 0) },
            blockRead: entries.filter { $0.op.lowercased() == "read" }.reduce(0) { $0 + $1.value },
            blockWritten: entries.filter { $0.op.lowercased() == "write" }.reduce(0) { $0 + $1.value },
            processes: stats.pids?.current ?? 0)
    }

    package func exec(_ id: String, _ command: [String], _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
              standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let run = try await engine().exec(
            id, command, environment: options.environment.isEmpty ? nil : options.environment,
            workingDirectory: options.workingDirectory, user: options.user)
        if !run.standardOutput.isEmpty { standardOutput(run.standardOutput) }
        if !run.standardError.isEmpty { standardError(run.standardError) }
        return run.exitCode
    }

    package func killContainer(_ id: String, signal: String) async throws { try await engine().killContainer(id, signal: signal) }

    package func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws {
        try await engine().removeContainer(id, force: force, volumes: volumes)
    }

    package func copyIn(_ id: String, archive: Data, into directory: String) async throws {
        try await engine().extract(archive, into: directory, container: id)
    }

    package func copyOut(_ id: String, path: String) async throws -> Data { try await engine().archive(id, path: path) }

    /// `docker cp SRC CONTAINER:DEST`: into `destination` when it is a directory there, else as it.
    /// `-a`: the daemon gives the container's user and group to what comes in (`copyUIDGID`).
    package func copyIn(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        guard FileManager.default.fileExists(atPath: source) else { throw ClientError(.notFound, "\(source): no such file or directory") }
        let engine = try await engine()
        let isDirectory = try await engine.pathStat(destination, container: id)?.isDirectory ?? false
        let (directory, entry) = try CopyTarget.inContainer(id, source: source, destination: destination, isDirectory: isDirectory)
        var sink = MemoryByteSink()
        try LayerDiffer().archive(source, as: entry, to: &sink)
        try await engine.extract(Data(sink.bytes), into: directory, container: id, copyUIDGID: archive)
    }

    /// `docker cp CONTAINER:SRC DEST`: into `destination` when it is a directory, else as it.
    package func copyOut(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        let (directory, entry) = try CopyTarget.onHost(destination)
        var tar = Array(try await engine().archive(id, path: source))
        if let entry { tar = try Self.renamingTopEntry(of: tar, to: entry) }
        // The caller's files, `-a` or not, as docker cp leaves them.
        _ = try LayerApplier(root: directory, options: LayerApplier.Options(preserveOwnership: false)).apply(MemoryByteSource(tar))
    }

    /// The tar `archive` with its top entry (and everything below it) renamed `name`.
    private static func renamingTopEntry(of archive: [UInt8], to name: String) throws -> [UInt8] {
        var reader = TarReader(MemoryByteSource(archive))
        var writer = TarWriter(MemoryByteSink())
        var top: String?
        func renamed(_ path: String) -> String {
            let clean = CommittedLayer.clean(path)
            guard let top, clean == top || clean.hasPrefix(top + "/") else { return path }
            return name + clean.dropFirst(top.count)
        }
        while var header = try reader.next() {
            top = top ?? CommittedLayer.clean(header.name).split(separator: "/").first.map(String.init)
            header.name = renamed(header.name)
            if header.type == .hardLink { header.linkName = renamed(header.linkName) }
            try writer.writeEntry(header, contents: &reader)
        }
        try writer.finish()
        return writer.sink.bytes
    }

    package func commit(_ id: String, as reference: String?, changes: [String], message: String?, author: String?) async throws -> String {
        var repository: String?
        var tag: String?
        if let reference {
            let parsed = try Reference(parsing: reference)
            repository = parsed.familiarName
            tag = parsed.tag ?? "latest"
        }
        return try await engine().commit(id, repository: repository, tag: tag, changes: changes, comment: message, author: author)
    }
}
