import Foundation
package import HoistBackend
import HoistContainerd
import HoistRuntime

/// The day-two verbs on containerd: pause, unpause and the process list through the task
/// service; `stats` from the task's cgroup files on this host (containerd's metrics come as
/// runtime-specific protobufs; the cgroup is what they are read from); `rename` as the name
/// label; `logs` from the files the shim's logger writes.
extension ContainerdBackend {
    /// The shim's logger copies the output with `cat` and keeps no times, so `--tail` and `-f`
    /// work and `--since`, `--until` and `-t` are refused; stdout's lines come before stderr's.
    package func containerLogs(_ id: String, _ options: LogOptions, handler: @escaping @Sendable (LogEntry) -> Void) async throws {
        guard options.since == nil, options.until == nil, !options.timestamps else {
            throw ClientError(.unsupported, "the containerd backend's logs keep no times: --since, --until and --timestamps are not available")
        }
        let container = try await existingContainer(id)
        let logs = logFiles(container.id)
        var cursor = LogIndex.Cursor(standardOutput: logs.output, standardError: logs.error, index: nil)
        func entries(final: Bool) -> [LogEntry] {
            cursor.read(final: final).map {
                LogEntry(stream: $0.stream == 2 ? .standardError : .standardOutput, data: $0.data, nanoseconds: nil)
            }
        }
        var running = try await daemon().task(container.id).map { $0.status != .stopped } ?? false
        for entry in LogEntry.selected(entries(final: !running), options) { handler(entry) }
        guard options.follow, running else { return }
        while true {
            running = try await daemon().task(container.id).map { $0.status != .stopped } ?? false
            for entry in entries(final: !running) { handler(entry) }
            if !running { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    package func pauseContainer(_ id: String) async throws {
        let container = try await existingContainer(id)
        switch try await daemon().task(container.id)?.status {
        case .running?: try await daemon().pauseTask(container.id)
        case .paused?: throw ClientError(.failedPrecondition, "Container \(container.id) is already paused")
        default: throw ClientError(.failedPrecondition, "Container \(container.id) is not running")
        }
    }

    package func unpauseContainer(_ id: String) async throws {
        let container = try await existingContainer(id)
        guard try await daemon().task(container.id)?.status == .paused else {
            throw ClientError(.failedPrecondition, "Container \(container.id) is not paused")
        }
        try await daemon().resumeTask(container.id)
    }

    package func renameContainer(_ id: String, to name: String) async throws {
        let container = try await existingContainer(id)
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        try ContainerName.validate(bare)
        guard bare != container.labels[Label.name] else {
            throw ClientError(.invalidArgument, "Renaming a container with the same name as its current name")
        }
        if let holder = try await findContainer(bare, exactName: true) {
            throw ClientError(.alreadyExists, "the container name \"/\(bare)\" is already in use by container \"\(holder.id)\"")
        }
        try await daemon().updateContainerLabels(container.id, [Label.name: bare])
    }

    package func containerStats(_ id: String) async throws -> ContainerStats {
        let container = try await existingContainer(id)
        guard let task = try await daemon().task(container.id), task.status == .running || task.status == .paused, task.pid > 0 else {
            return .zero
        }
        return try await HostProcesses.stats(ofProcess: Int32(bitPattern: task.pid))
    }

    /// containerd's snapshot usage is not asked for yet: sizes are a clear error.
    package func containerSize(_ id: String) async throws -> ContainerSize {
        throw ClientError(.unsupported, "the containerd backend does not report container sizes (ps -s) yet")
    }

    package func containerProcesses(_ id: String, psArguments: [String]) async throws -> ContainerProcesses {
        let container = try await existingContainer(id)
        guard let task = try await daemon().task(container.id), task.status == .running || task.status == .paused else {
            throw ClientError(.failedPrecondition, "Container \(container.id) is not running")
        }
        return try await HostProcesses.processes(Set(try await daemon().taskProcessIDs(container.id)), psArguments: psArguments)
    }
}
