#if canImport(Glibc)
    import Glibc
#endif
package import Foundation
package import HoistBackend
import HoistArchive
import HoistContainerd
import HoistOCI
import HoistRuntime
import HoistStore

/// Kept containers on containerd, as `docker create/start/ps/logs/rm` keep them. A container
/// started in the background writes its output through a logger the shim runs (a script in
/// the container's directory), so its logs outlive this process; a stopped task is kept for
/// its exit status until the container starts again or is removed.
extension ContainerdBackend {
    package func createContainer(_ image: String, _ options: RunOptions) async throws -> String {
        await removeEndedAutoRemoved()
        if let platform = options.platform, platform.normalized != Platform.host.normalized {
            throw ClientError(.unsupported, "--platform \(platform) is for the native and docker backends; containerd runs \(Platform.host) here")
        }
        if let name = options.name {
            try ContainerName.validate(name)
            if try await findContainer(name, exactName: true) != nil {
                throw ClientError(.alreadyExists, "the container name \"\(name)\" is already in use")
            }
        }
        let id = ContainerRecord.newID()
        var labels = [Label.name: options.name ?? ContainerName.generated(attempt: 0) + "-" + id.prefix(4)]
        if options.terminal { labels[Label.terminal] = "true" }
        if options.autoRemove { labels[Label.autoRemove] = "true" }
        try await makeContainer(id: id, image: image, options: options, labels: labels, hostname: String(id.prefix(12)))
        return id
    }

    package func startContainer(_ id: String) async throws {
        let container = try await existingContainer(id)
        let daemon = try await daemon()
        if let task = try await daemon.task(container.id) {
            if task.status == .running || task.status == .paused { return }
            try await daemon.deleteTask(container.id)
        }
        guard container.labels[Label.terminal] != "true" else {
            throw ClientError(.unsupported, "the containerd backend does not give containers a terminal yet")
        }
        let logger = try writeLogger(for: container.id)
        let stdio = TaskStdio(standardOutput: "binary://" + logger, standardError: "binary://" + logger)
        do {
            try await daemon.createTask(container.id, rootfs: try await daemon.snapshotMounts(container.snapshotKey), stdio: stdio)
            try await daemon.startTask(container.id)
        } catch {
            _ = try? await daemon.deleteTask(container.id)
            throw Self.startFailure(error)
        }
    }

    package func runContainer(_ id: String, standardInput: Data?, standardOutput: @escaping @Sendable (Data) -> Void,
                      standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let container = try await existingContainer(id)
        let daemon = try await daemon()
        if let task = try await daemon.task(container.id) {
            guard task.status == .stopped else {
                throw ClientError(.failedPrecondition, "container \(container.labels[Label.name] ?? container.id) is already running")
            }
            try await daemon.deleteTask(container.id)
        }
        let logs = logFiles(container.id)
        let output = try LogFile(path: logs.output)
        let error = try LogFile(path: logs.error)
        let streams = try TaskStreams(
            in: directory(of: container.id), standardInput: standardInput,
            standardOutput: { output.append($0); standardOutput($0) },
            standardError: { error.append($0); standardError($0) })
        do {
            return try await runTask(
                container.id, rootfs: try await daemon.snapshotMounts(container.snapshotKey), streams: streams, daemon: daemon)
        } catch {
            throw Self.startFailure(error)
        }
    }

    package func waitContainer(_ id: String) async throws -> Int32 {
        let container = try await existingContainer(id)
        guard try await daemon().task(container.id) != nil else {
            throw ClientError(.failedPrecondition, "container \(container.labels[Label.name] ?? container.id) has not been started")
        }
        return Int32(bitPattern: try await daemon().waitTask(container.id))
    }

    package func stopContainer(_ id: String, timeout: Int?) async throws {
        let container = try await existingContainer(id)
        let daemon = try await daemon()
        guard let task = try await daemon.task(container.id), task.status != .stopped else { return }
        try? await daemon.killTask(container.id, signal: SIGTERM)
        let deadline = ContinuousClock.now + .seconds(timeout ?? 10)
        while ContinuousClock.now < deadline {
            if try await daemon.task(container.id)?.status == .stopped { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await daemon.killTask(container.id, signal: SIGKILL, all: true)
        _ = try await daemon.waitTask(container.id)
    }

    package func containerLogs(_ id: String) async throws -> ContainerLogs {
        let logs = logFiles(try await existingContainer(id).id)
        return ContainerLogs(
            standardOutputData: FileManager.default.contents(atPath: logs.output) ?? Data(),
            standardErrorData: FileManager.default.contents(atPath: logs.error) ?? Data())
    }

    package func container(_ id: String) async throws -> ContainerSummary {
        try await summary(of: try await existingContainer(id))
    }

    /// Removes the containers made with `--rm` (`run -d --rm`) that have ended: with no daemon
    /// of Hoist's, whichever command comes next does what Docker's daemon does at once, as on
    /// the native backend.
    func removeEndedAutoRemoved() async {
        guard let daemon = try? await daemon(), let all = try? await daemon.containers() else { return }
        for container in all where container.labels[Label.autoRemove] == "true" {
            guard let task = try? await daemon.task(container.id), task.status == .stopped else { continue }
            try? await removeContainer(container.id, force: true, volumes: true)
        }
    }

    package func containers(all: Bool) async throws -> [ContainerSummary] {
        await removeEndedAutoRemoved()
        var summaries: [ContainerSummary] = []
        for container in try await daemon().containers() {
            // One that went between the list and this look is left out.
            guard let summary = try? await summary(of: container) else { continue }
            if all || summary.state.isRunning { summaries.append(summary) }
        }
        return summaries.sorted { $0.created < $1.created }
    }

    package func exec(_ id: String, _ command: [String], _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
              standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        guard !command.isEmpty else { throw ClientError(.invalidArgument, "exec needs a command") }
        guard !options.terminal else { throw ClientError(.unsupported, "the containerd backend does not give processes a terminal yet") }
        let container = try await existingContainer(id)
        let daemon = try await daemon()
        guard let task = try await daemon.task(container.id), task.status == .running else {
            throw ClientError(.failedPrecondition, "container \(container.labels[Label.name] ?? container.id) is not running")
        }
        let spec = try JSONDecoder().decode(RuntimeSpec.self, from: container.spec)
        guard var process = spec.process else { throw ClientError(.dataLoss, "container \(container.id) has no process in its spec") }
        let settings = ContainerSettings(
            arguments: command, environment: EnvironmentList.overriding(process.env ?? [], with: options.environment),
            workingDirectory: options.workingDirectory ?? process.cwd,
            user: options.user ?? "\(process.user.uid):\(process.user.gid)", hostname: spec.hostname ?? "")
        // The container's files, to look the user up in.
        process = try await withRootFileSystem(of: container) { try RuntimeSpecBuilder(settings).process(rootfs: $0) }
        let execID = "exec-\(UUID().uuidString.prefix(8).lowercased())"
        let streams = try TaskStreams(
            in: directory(of: container.id), standardInput: options.standardInput, standardOutput: standardOutput,
            standardError: standardError)
        do {
            try await daemon.exec(container.id, execID: execID, process: try JSONEncoder().encode(process), stdio: streams.stdio)
        } catch {
            streams.abandon()
            throw Self.startFailure(error)
        }
        do {
            try await daemon.startTask(container.id, execID: execID)
            if streams.hasInput { Self.closeInput(of: container.id, execID: execID, when: streams, daemon: daemon) }
            let status = try await daemon.waitTask(container.id, execID: execID)
            _ = await streams.drained(within: .seconds(5))
            try? await daemon.deleteProcess(container.id, execID: execID)
            return Int32(bitPattern: status)
        } catch {
            try? await daemon.deleteProcess(container.id, execID: execID)
            streams.abandon()
            throw Self.startFailure(error)
        }
    }

    package func killContainer(_ id: String, signal: String) async throws {
        let container = try await existingContainer(id)
        let number = try SignalName.number(signal)
        guard let task = try await daemon().task(container.id), task.status == .running || task.status == .paused else {
            throw ClientError(.failedPrecondition, "container \(container.labels[Label.name] ?? container.id) is not running")
        }
        try await daemon().killTask(container.id, signal: number)
    }

    /// containerd makes no volumes: with `volumes` there is nothing more to remove.
    package func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws {
        let container = try await existingContainer(id)
        if let task = try await daemon().task(container.id), task.status != .stopped, !force {
            throw ClientError(
                .failedPrecondition,
                "container \(container.labels[Label.name] ?? container.id) is running: stop it first or remove it with force (-f)")
        }
        await discard(container.id)
    }

    package func copyIn(_ id: String, archive: Data, into directory: String) async throws {
        let container = try await existingContainer(id)
        try await withRootFileSystem(of: container) { root in
            try ContainerFiles.extract(MemoryByteSource(Array(archive)), into: directory, in: root, of: container.labels[Label.name] ?? container.id)
        }
    }

    package func copyOut(_ id: String, path: String) async throws -> Data {
        let container = try await existingContainer(id)
        return try await withRootFileSystem(of: container) { root in
            var sink = MemoryByteSink()
            try ContainerFiles.archive(path, in: root, of: container.labels[Label.name] ?? container.id, to: &sink)
            return Data(sink.bytes)
        }
    }

    /// Runs `body` with the container's files: its snapshot mounted here for the while. The
    /// shim's own mount is in a mount namespace of its own, and `/proc/PID/root` resolves to
    /// this host's root when a path is made real, so a running container's snapshot is
    /// mounted a second time (overlayfs allows that without its `index` feature, which Debian
    /// leaves off).
    private func withRootFileSystem<Result>(of container: ContainerdContainer, _ body: (String) throws -> Result) async throws -> Result {
        let daemon = try await daemon()
        let mounts = try await daemon.snapshotMounts(container.snapshotKey).map(HoistStore.Mount.init)
        let mountPoint = directory(of: container.id).appendingPathComponent("files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { rmdir(mountPoint) }
        try HoistStore.Mount.mountAll(mounts, at: mountPoint)
        defer { try? HoistStore.Mount.unmountAll(mounts, at: mountPoint) }
        return try body(mountPoint)
    }

    package func commit(_ id: String, as reference: String?, changes: [String], message: String?, author: String?) async throws -> String {
        throw ClientError(.unsupported, "the containerd backend does not commit containers yet")
    }

    // MARK: - Parts

    /// The container a name, an ID or a unique prefix of an ID designates, or nil.
    func findContainer(_ name: String, exactName: Bool = false) async throws -> ContainerdContainer? {
        let daemon = try await daemon()
        if !exactName, let container = try await daemon.container(name) { return container }
        let all = try await daemon.containers()
        if let named = all.first(where: { $0.labels[Label.name] == name }) { return named }
        guard !exactName, name.count >= 4 else { return nil }
        let prefixed = all.filter { $0.id.hasPrefix(name) }
        if prefixed.count > 1 { throw ClientError(.invalidArgument, "container ID prefix \(name) is ambiguous") }
        return prefixed.first
    }

    func existingContainer(_ name: String) async throws -> ContainerdContainer {
        guard let container = try await findContainer(name) else {
            throw ClientError(.notFound, "no such container in containerd namespace \(address.namespace): \(name)")
        }
        return container
    }

    func summary(of container: ContainerdContainer) async throws -> ContainerSummary {
        let task = try await daemon().task(container.id)
        let state: ContainerState = switch task?.status {
        case nil, .created?: .created
        case .stopped?: .exited(Int32(bitPattern: task?.exitStatus ?? 255))
        default: .running
        }
        let spec = try? JSONDecoder().decode(RuntimeSpec.self, from: container.spec)
        var summary = ContainerSummary(
            id: container.id, name: container.labels[Label.name] ?? container.id,
            image: container.labels[Label.image] ?? container.image,
            imageID: container.labels[Label.imageID].flatMap { try? Digest(parsing: $0) } ?? Digest(of: Data()),
            command: spec?.process?.args ?? [], created: container.created, state: state, startedAt: nil,
            finishedAt: state.isRunning ? nil : task?.exitedAt)
        summary.paused = task?.status == .paused
        return summary
    }

    func logFiles(_ id: String) -> (output: String, error: String) {
        let directory = directory(of: id)
        return (directory.appendingPathComponent("stdout.log").path, directory.appendingPathComponent("stderr.log").path)
    }

    /// The logger the shim runs for a container started in the background: it gets the
    /// container's output on descriptors 3 and 4, and says it is ready by closing 5 — in every
    /// process, or the shim waits for ever.
    private func writeLogger(for id: String) throws -> String {
        let logs = logFiles(id)
        let path = directory(of: id).appendingPathComponent("logger").path
        let script = """
            #!/bin/sh
            cat <&3 >>'\(logs.output)' 4<&- 5>&- &
            cat <&4 >>'\(logs.error)' 3<&- 5>&- &
            exec 3<&- 4<&- 5>&-
            wait

            """
        try FileManager.default.createDirectory(at: directory(of: id), withIntermediateDirectories: true)
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        guard chmod(path, 0o755) == 0 else { throw ClientError(.unavailable, "cannot make \(path) executable") }
        return path
    }
}
