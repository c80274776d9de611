#if canImport(Glibc)
    import Glibc
#endif
import Foundation
public import HoistBackend
import HoistRuntime
public import HoistStore

/// The day-two verbs on kept containers (issue 19), as Docker's daemon does them: `logs` with
/// its options, `pause`/`unpause` through the runtime's freezer, `rename`, `stats` from the
/// container's cgroup, `top` through the host's `ps`.
extension NativeBackend {
    /// Hands container `name`'s output to `handler` as `docker logs` gives it with `options`:
    /// lines in the order written, each with its time from the log index (none for containers
    /// made before it existed); with `follow`, what comes after too, until the container ends.
    /// Following reads only what was added since the last look (see ``LogIndex/Cursor``).
    public func containerLogs(_ name: String, _ options: LogOptions, handler: @escaping @Sendable (LogEntry) -> Void) async throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        let files = container.files
        var cursor = LogIndex.Cursor(standardOutput: files.standardOutput, standardError: files.standardError, index: files.logIndex)
        // Before the read: all it wrote before it ended is then in the files. An unfinished last
        // line of a running container waits, as in Docker's logs, for its end.
        var ended = state(of: container, executor: executor) != .running
        // The tail counts back from the end of what there is now.
        for entry in LogEntry.selected(cursor.read(final: ended).map(Self.entry), options) { handler(entry) }
        guard options.follow, !ended else { return }
        var looks = 0
        while true {
            if let until = options.until, Date() >= until { return }
            ended = looks % 10 == 9 ? state(of: container, executor: executor) != .running : Self.hasEnded(container)
            for entry in cursor.read(final: ended).map(Self.entry) where options.admits(entry.time) { handler(entry) }
            if ended { return }
            looks += 1
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    /// Whether the container has ended, from its files alone (no runtime call): its exit
    /// status is written, it was never started, or it is gone.
    private static func hasEnded(_ container: StoredContainer) -> Bool {
        RuncExecutor.exitCode(at: container.files.exitStatus) != nil || !FileManager.default.fileExists(atPath: container.startedFile)
    }

    private static func entry(_ piece: LogIndex.Piece) -> LogEntry {
        LogEntry(stream: piece.stream == 2 ? .standardError : .standardOutput, data: piece.data, nanoseconds: piece.nanoseconds)
    }

    /// Freezes container `name`'s processes, as `docker pause`; `failedPrecondition` when it is
    /// not running or already paused.
    public func pauseContainer(_ name: String) throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        switch executor.status(of: container.runtimeID) {
        case "running": try executor.pause(container.runtimeID)
        case "paused": throw ClientError(.failedPrecondition, "Container \(container.record.id) is already paused")
        default: throw ClientError(.failedPrecondition, "Container \(container.record.id) is not running")
        }
    }

    /// Thaws container `name`, as `docker unpause`; `failedPrecondition` when it is not paused.
    public func unpauseContainer(_ name: String) throws {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        guard executor.status(of: container.runtimeID) == "paused" else {
            throw ClientError(.failedPrecondition, "Container \(container.record.id) is not paused")
        }
        try executor.resume(container.runtimeID)
    }

    /// Names container `name` `newName`, as `docker rename`.
    public func renameContainer(_ name: String, to newName: String) throws {
        let container = try findContainer(name)
        let bare = newName.hasPrefix("/") ? String(newName.dropFirst()) : newName
        try ContainerName.validate(bare)
        guard bare != container.record.name else {
            throw ClientError(.invalidArgument, "Renaming a container with the same name as its current name")
        }
        do {
            try store.renameContainer(container.record.id, to: bare)
        } catch let error as StoreError {
            throw ClientError(error.code, error.message)
        }
    }

    /// One look at container `name`'s use of the machine over a second, as `docker stats
    /// --no-stream` (all zero when it is not running).
    public func containerStats(_ name: String) async throws -> ContainerStats {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        guard state(of: container, executor: executor) == .running, let pid = executor.initProcessID(of: container.runtimeID) else {
            return .zero
        }
        return try await HostProcesses.stats(ofProcess: pid)
    }

    /// Container `name`'s processes as the host's `ps` shows them (`docker top`).
    public func containerProcesses(_ name: String, psArguments: [String]) async throws -> ContainerProcesses {
        let container = try findContainer(name)
        let executor = RuncExecutor(store: store.root)
        guard state(of: container, executor: executor) == .running else {
            throw ClientError(.failedPrecondition, "Container \(container.record.id) is not running")
        }
        return try await HostProcesses.processes(Set(try executor.processIDs(of: container.runtimeID)), psArguments: psArguments)
    }

    /// Container `name`'s writable snapshot, and that with every snapshot below it (its image's
    /// unpacked layers), as `docker ps -s` counts them.
    public func containerSize(_ name: String) throws -> ContainerSize {
        let container = try findContainer(name)
        let snapshotter = try store.snapshotter()
        let writable = (try? snapshotter.usage(container.record.snapshotKey).size) ?? 0
        var total = writable
        var parent = try? snapshotter.stat(container.record.snapshotKey).parent
        while let key = parent {
            total += (try? snapshotter.usage(key).size) ?? 0
            parent = try? snapshotter.stat(key).parent
        }
        return ContainerSize(writable: writable, rootFileSystem: total)
    }
}
