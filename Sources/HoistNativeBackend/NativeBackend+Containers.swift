#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistBackend
import HoistOCI
import HoistRuntime
public import HoistStore

/// Containers that are kept after they end, as `docker create/start/ps/logs/rm` keep them:
/// each has a record in the store, a snapshot with its files, and a directory with its bundle,
/// logs and exit status. Running ones need no daemon: see ``RuncExecutor/startDetached(id:bundle:files:)``.
extension NativeBackend {
    /// Makes a container of `image` with `options` (not started) and returns its ID. Its name is
    /// `options.name` or a made-up one; `alreadyExists` when the name is taken.
    @discardableResult
    public func createContainer(_ image: String, _ options: RunOptions = RunOptions()) async throws -> String {
        await removeEndedAutoRemoved()
        if let name = options.name { try ContainerName.validate(name) }
        let local = try resolveRunnable(image, platform: options.platform)
        let id = ContainerRecord.newID()
        var settings = try containerSettings(image: image, config: local.config, options)
        settings.hostname = options.hostname ?? String(id.prefix(12))
        let imageConfig = local.config.config ?? ContainerConfig()
        let network = try ContainerNetworkRequest(options, config: imageConfig)
        let anonymousVolumes = try anonymousVolumeMounts(options, imageVolumes: imageConfig.volumes ?? [], mounted: settings.mounts)
        // Parents before what is mounted inside them, as Docker orders a container's mounts.
        settings.mounts = (settings.mounts + anonymousVolumes).enumerated().sorted {
            let depths = (Self.pathDepth($0.element.destination), Self.pathDepth($1.element.destination))
            return depths.0 != depths.1 ? depths.0 < depths.1 : $0.offset < $1.offset
        }.map(\.element)
        let configuration = StoredContainer.Configuration(
            settings: settings, entrypoint: options.entrypoint ?? imageConfig.entrypoint ?? [],
            command: Array(settings.arguments.dropFirst((options.initProcess ? 2 : 0) + (options.entrypoint ?? imageConfig.entrypoint ?? []).count)),
            network: network, signalProxy: options.signalProxy,
            stopSignal: options.stopSignal ?? imageConfig.stopSignal, stopTimeout: options.stopTimeout,
            labels: (imageConfig.labels ?? [:]).merging(options.labels) { $1 }, restartPolicy: options.restartPolicy,
            autoRemove: options.autoRemove)
        // The anonymous volumes go again when the container cannot be made.
        do {
            let snapshotter = try store.snapshotter()
            return try store.withWriteLease {
                let unpacked = try LayerUnpacker(snapshotter: snapshotter).unpack(
                    manifest: local.manifest, config: local.config, from: store.content)
                let key = try SnapshotKey("container/\(id)")
                _ = try snapshotter.prepare(key: key, parent: unpacked.key)
                do {
                    try FileManager.default.createDirectory(
                        atPath: store.containerDirectory(id).appendingPathComponent("bundle/rootfs").path, withIntermediateDirectories: true)
                    var attempt = 0
                    while true {
                        let record = ContainerRecord(
                            id: id, name: options.name ?? ContainerName.generated(attempt: attempt), image: image,
                            imageTarget: local.target, imageID: local.configDigest, created: Date(), snapshotKey: key,
                            configuration: try JSONEncoder().encode(configuration))
                        do {
                            try store.addContainer(record)
                            return id
                        } catch let error as StoreError where error.code == .alreadyExists {
                            guard options.name == nil, attempt < 20 else { throw ClientError(error.code, error.message) }
                            attempt += 1
                        }
                    }
                } catch {
                    try? snapshotter.remove(key)
                    try? FileManager.default.removeItem(at: store.containerDirectory(id))
                    throw error
                }
            }
        } catch {
            try? removeAnonymousVolumes(of: anonymousVolumes)
            throw error
        }
    }

    /// The number of components of a container path (`/` is 0, `/a/b` is 2).
    static func pathDepth(_ path: String) -> Int {
        path.split(separator: "/").filter { $0 != "." }.count
    }

    /// Every kept container (running ones only unless `all`), oldest first; containers run with
    /// `--rm` that have ended are not shown (``removeEndedAutoRemoved()`` removes them).
    public func containers(all: Bool = true) async throws -> [ContainerSummary] {
        await removeEndedAutoRemoved()
        // One whose removal failed just now (another command held it) is still shown: it is
        // still there, and the next command removes it.
        return try listContainers(all: all, hidingEndedAutoRemoved: false)
    }

    /// ``containers(all:)`` without removing what has ended: for callers that cannot wait,
    /// such as shell completion.
    public func keptContainers(all: Bool = true) throws -> [ContainerSummary] {
        try listContainers(all: all, hidingEndedAutoRemoved: true)
    }

    private func listContainers(all: Bool, hidingEndedAutoRemoved: Bool) throws -> [ContainerSummary] {
        let executor = RuncExecutor(store: store.root)
        return try store.containers().compactMap { record in
            let container = try StoredContainer(record: record, store: store)
            let summary = summary(of: container, executor: executor)
            if hidingEndedAutoRemoved, container.configuration.autoRemove == true, summary.state != .running, summary.state != .created {
                return nil
            }
            return all || summary.state == .running ? summary : nil
        }
    }

    /// Removes the containers run with `--rm` in the background (`hoist run -d --rm`) that have
    /// ended: without a daemon, whichever command comes next does what Docker's does at once.
    public func removeEndedAutoRemoved() async {
        let executor = RuncExecutor(store: store.root)
        for record in (try? store.containers()) ?? [] {
            guard let container = try? StoredContainer(record: record, store: store), container.configuration.autoRemove == true,
                case .exited = state(of: container, executor: executor)
            else { continue }
            try? await removeContainer(record.id, force: true, volumes: true)
        }
    }

    /// The container `name` (a name, an ID or a unique prefix of one) as `hoist ps` shows it.
    public func container(_ name: String) throws -> ContainerSummary {
        summary(of: try findContainer(name), executor: RuncExecutor(store: store.root))
    }

    /// `container` as `hoist ps` shows it, its state asked of the runtime once.
    func summary(of container: StoredContainer, executor: RuncExecutor) -> ContainerSummary {
        let record = container.record
        let state = state(of: container, executor: executor)
        var summary = ContainerSummary(
            id: record.id, name: record.name, image: record.image, imageID: record.imageID,
            command: container.configuration.settings.arguments, created: record.created, state: state,
            startedAt: container.startedAt, finishedAt: state == .running ? nil : container.finishedAt)
        summary.labels = container.configuration.labels ?? [:]
        summary.paused = state == .running && executor.status(of: container.runtimeID) == "paused"
        if state == .running, let data = FileManager.default.contents(atPath: container.networkAttachmentFile),
            let attachment = ContainerNetworking().attachment(String(decoding: data, as: UTF8.self))
        {
            summary.networkAddress = attachment.address
            summary.ports = attachment.ports
        }
        return summary
    }

    /// Starts container `name` in the background and returns once its process runs. Starting
    /// a running container does nothing, as with `docker start`.
    public func startContainer(_ name: String) async throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        if state(of: container, executor: executor) == .running { return }
        try await prepareStart(container, executor: executor)
        do {
            try await executor.startDetached(
                id: container.runtimeID, bundle: container.bundle, files: container.files,
                restart: container.configuration.restartPolicy ?? .no)
        } catch {
            // It never ran: it stays created, as Docker leaves a container that failed to start.
            unlink(container.startedFile)
            unlink(container.files.exitStatus)
            await releaseNetwork(of: container)
            throw error
        }
        // Its network stays while it runs; whichever Hoist command comes after it ends tears it
        // down (rm, stop, or a sweep: see ContainerNetworking).
    }

    /// Starts container `name` and waits for it, streaming its output to the handlers (and to
    /// its logs), as `docker run` without `-d` does; returns its exit code. Cancelling the task
    /// kills the container. A container with a restart policy is handed to the monitor that
    /// restarts it, as Docker's daemon takes it over: this returns when its first run ends
    /// (see ``runUnderMonitor(_:standardInput:standardOutput:standardError:)``).
    public func runContainer(_ name: String, standardInput: Data? = nil,
                             standardOutput: @escaping @Sendable (Data) -> Void,
                             standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        if state(of: container, executor: executor) == .running {
            throw ClientError(.failedPrecondition, "container \(container.record.name) is already running")
        }
        if let policy = container.configuration.restartPolicy, policy != .no {
            return try await runUnderMonitor(
                container, standardInput: standardInput, standardOutput: standardOutput, standardError: standardError)
        }
        try await prepareStart(container, executor: executor)
        let files = container.files
        let logs = try LogIndex.Writer(standardOutput: files.standardOutput, standardError: files.standardError,
                                       index: files.logIndex ?? container.directory + "/log.index")
        var options = RunOptions(standardInput: standardInput)
        options.terminal = container.configuration.settings.terminal
        options.signalProxy = container.configuration.signalProxy ?? false
        let io = Self.containerIO(
            options,
            standardOutput: { logs.append($0, stream: 1); standardOutput($0) },
            standardError: { logs.append($0, stream: 2); standardError($0) })
        // Should this process be killed, its watchdog kills the container; the next hoist
        // command then records how it ended, as SIGKILL ends a container.
        let undo = try? WorkDirectory.registerUndo(
            ["/bin/sh", "-c", "[ -e \"$1\" ] || printf '137\\n' >\"$1\"", "hoist-exit-status", files.exitStatus],
            near: executor.bundleDirectory.path)
        defer { if let undo { WorkDirectory.removeUndo(undo) } }
        let code: Int32
        do {
            code = try await executor.runBundle(id: container.runtimeID, bundle: container.bundle, io: io)
        } catch let failure as RuntimeError where failure.code == .cancelled {
            try? Self.writeExitStatus(137, to: files.exitStatus)
            await releaseNetwork(of: container)
            throw failure
        } catch {
            unlink(container.startedFile)
            await releaseNetwork(of: container)
            throw error
        }
        await releaseNetwork(of: container)
        try Self.writeExitStatus(code, to: files.exitStatus)
        return code
    }

    /// Waits for container `name` to end and returns its exit code; at once if it has ended.
    /// `failedPrecondition` for a container that was never started.
    public func waitContainer(_ name: String) async throws -> Int32 {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        while true {
            switch state(of: container, executor: executor) {
            case .exited(let code): return code
            case .created: throw ClientError(.failedPrecondition, "container \(container.record.name) has not been started")
            case .running: try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
    }

    /// Sends `signal` (`KILL`, `TERM`, `SIGHUP`, `9` …) to running container `name`'s process.
    public func killContainer(_ name: String, signal: String = "KILL") throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        guard state(of: container, executor: executor) == .running else {
            throw ClientError(.failedPrecondition, "container \(container.record.name) is not running")
        }
        try executor.signal(container.runtimeID, Self.bareSignalName(signal))
    }

    /// `SIGHUP`, `hup` or `1` as the runtimes take it (`HUP`, `1`).
    static func bareSignalName(_ signal: String) -> String {
        let upper = signal.uppercased()
        return upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
    }

    /// Stops container `name` as `docker stop` does: its stop signal (`--stop-signal`, else the
    /// image's STOPSIGNAL, else SIGTERM), then SIGKILL after `timeout` seconds (default: its
    /// `--stop-timeout`, else 10). A stopped container is left as it is, and its restart policy
    /// no longer applies.
    public func stopContainer(_ name: String, timeout: Int? = nil) async throws {
        _ = try await stopAndWait(name, timeout: timeout)
    }

    /// ``stopContainer(_:timeout:)``, returning the container's exit code.
    func stopAndWait(_ name: String, timeout: Int? = nil) async throws -> Int32 {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        // Before the signal: the monitor must not start it again.
        FileManager.default.createFile(atPath: container.stoppedFile, contents: Data())
        guard state(of: container, executor: executor) == .running else { return try await waitContainer(name) }
        try? executor.signal(container.runtimeID, Self.bareSignalName(container.configuration.stopSignal ?? "TERM"))
        let deadline = Date().addingTimeInterval(TimeInterval(timeout ?? container.configuration.stopTimeout ?? 10))
        while Date() < deadline {
            if case .exited(let code) = state(of: container, executor: executor) {
                await releaseNetwork(of: container)
                return code
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        try? executor.signal(container.runtimeID, "KILL")
        let code = try await waitContainer(name)
        await releaseNetwork(of: container)
        return code
    }

    /// Removes container `name`: its files, logs and record, and with `volumes` its anonymous
    /// volumes that no other container uses (`docker rm -v`; named volumes stay). A running
    /// container is refused (`failedPrecondition`) unless `force`, which kills it first, as
    /// `docker rm -f` does.
    public func removeContainer(_ name: String, force: Bool = false, volumes: Bool = false) async throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        if state(of: container, executor: executor) == .running {
            guard force else {
                throw ClientError(
                    .failedPrecondition, "container \(container.record.name) is running: stop it first or remove it with force (-f)")
            }
            // Not to be started again by its restart policy.
            FileManager.default.createFile(atPath: container.stoppedFile, contents: Data())
            executor.forceDelete(container.runtimeID)
            // The monitor writes the exit status once the runtime has gone.
            for _ in 0..<200 where RuncExecutor.exitCode(at: container.files.exitStatus) == nil {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
        }
        executor.forceDelete(container.runtimeID)
        await releaseNetwork(of: container)
        if Mount.isMountPoint(container.rootfs) {
            let snapshotter = try store.snapshotter()
            try Mount.unmountAll(try snapshotter.mounts(container.record.snapshotKey), at: container.rootfs)
        }
        // The record goes first: what is left after a crash here is swept by garbage collection.
        try store.removeContainerRecord(container.record.id)
        try? store.snapshotter().remove(container.record.snapshotKey)
        try? FileManager.default.removeItem(atPath: container.directory)
        if volumes { try removeAnonymousVolumes(of: container.configuration.settings.mounts) }
    }

    /// What container `name` has written so far.
    public func containerLogs(_ name: String) throws -> ContainerLogs {
        let files = try findContainer(name).files
        return ContainerLogs(
            standardOutputData: FileManager.default.contents(atPath: files.standardOutput) ?? Data(),
            standardErrorData: FileManager.default.contents(atPath: files.standardError) ?? Data())
    }

    /// Runs `command` in running container `name` (`docker exec`) with its environment plus
    /// `options.environment`, and `options`' user and working directory; returns the exit code.
    public func exec(_ name: String, _ command: [String], _ options: RunOptions = RunOptions(),
                     standardOutput: @escaping @Sendable (Data) -> Void,
                     standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        guard state(of: container, executor: executor) == .running else {
            throw ClientError(.failedPrecondition, "container \(container.record.name) is not running")
        }
        guard !command.isEmpty else { throw ClientError(.invalidArgument, "exec needs a command") }
        var settings = container.configuration.settings
        settings.arguments = command
        settings.environment = EnvironmentList.overriding(settings.environment, with: options.environment)
        if let user = options.user { settings.user = user }
        if let directory = options.workingDirectory { settings.workingDirectory = directory }
        settings.terminal = options.terminal
        return try await executor.exec(
            in: container.runtimeID, settings, rootfs: container.rootfs,
            io: Self.containerIO(options, standardOutput: standardOutput, standardError: standardError))
    }

    // MARK: - Parts

    func findContainer(_ name: String) throws -> StoredContainer {
        do {
            return try StoredContainer(record: try store.container(matching: name), store: store)
        } catch let error as StoreError {
            throw ClientError(error.code, error.message)
        }
    }

    func state(of container: StoredContainer, executor: RuncExecutor) -> ContainerState {
        let files = container.files
        if let code = RuncExecutor.exitCode(at: files.exitStatus) { return .exited(code) }
        guard FileManager.default.fileExists(atPath: container.startedFile) else { return .created }
        if let status = executor.status(of: container.runtimeID), status != "stopped" { return .running }
        // The runtime has just gone and the monitor is writing the status, or the container
        // died with the machine.
        for _ in 0..<20 {
            if let code = RuncExecutor.exitCode(at: files.exitStatus) { return .exited(code) }
            usleep(5_000)
        }
        return .exited(255)
    }

    /// Mounts the container's files, joins its network, writes its bundle and notes the start time.
    private func prepareStart(_ container: StoredContainer, executor: RuncExecutor) async throws {
        try mountRootfs(container)
        if !FileManager.default.fileExists(atPath: container.startedFile) {
            try copyUpVolumes(container.configuration.settings, rootfs: container.rootfs)
        }
        unlink(container.stoppedFile)
        executor.forceDelete(container.runtimeID)
        await releaseNetwork(of: container)
        var settings = container.configuration.settings
        let attachment = try await joinNetwork(
            container.networkRequest, id: container.record.id, names: [container.record.name], settings: &settings)
        do {
            if let attachment {
                guard FileManager.default.createFile(atPath: container.networkAttachmentFile, contents: Data(attachment.id.utf8)) else {
                    throw ClientError(.unavailable, "cannot write \(container.networkAttachmentFile)")
                }
            }
            try executor.writeBundle(settings, bundle: container.bundle, runtimeID: container.runtimeID)
            unlink(container.files.exitStatus)
            guard FileManager.default.createFile(atPath: container.startedFile, contents: Data()) else {
                throw ClientError(.unavailable, "cannot write \(container.startedFile)")
            }
        } catch {
            await leaveNetwork(attachment, reusable: false)
            unlink(container.networkAttachmentFile)
            throw error
        }
    }

    /// Tears down the container's network attachment, if it has one (its process has ended or
    /// is being killed).
    func releaseNetwork(of container: StoredContainer) async {
        guard let data = FileManager.default.contents(atPath: container.networkAttachmentFile) else { return }
        await ContainerNetworking().detach(String(decoding: data, as: UTF8.self))
        unlink(container.networkAttachmentFile)
    }

    /// Mounts the container's snapshot at its bundle's `rootfs` unless it is mounted.
    func mountRootfs(_ container: StoredContainer) throws {
        guard !Mount.isMountPoint(container.rootfs) else { return }
        try FileManager.default.createDirectory(atPath: container.rootfs, withIntermediateDirectories: true)
        try Mount.mountAll(try store.snapshotter().mounts(container.record.snapshotKey), at: container.rootfs)
    }

    static func writeExitStatus(_ code: Int32, to path: String) throws {
        try Data("\(code)\n".utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
        guard rename(path + ".tmp", path) == 0 else { throw ClientError(.unavailable, "cannot write \(path)") }
    }
}
