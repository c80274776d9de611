public import Foundation
import GRPCCore
import HoistContainerdAPI
import SwiftProtobuf

/// Tasks: a container's running process (and processes exec'd in it), run by the runtime's
/// shim. A task is created on the container's root file system mounts, started, waited for
/// and deleted; a stopped task keeps its exit status until it is deleted.
extension ContainerdClient {
    private var tasksService: Containerd_Services_Tasks_V1_Tasks.Client<Transport> { .init(wrapping: grpc) }

    /// Creates the task of container `containerID` on `rootfs` with `stdio` (not started);
    /// returns its process ID.
    @discardableResult
    public func createTask(_ containerID: String, rootfs: [ContainerdMount], stdio: TaskStdio) async throws -> UInt32 {
        try await call {
            try await tasksService.create(
                .with {
                    $0.containerID = containerID
                    $0.rootfs = rootfs.map(Containerd_Types_Mount.init)
                    $0.stdin = stdio.standardInput
                    $0.stdout = stdio.standardOutput
                    $0.stderr = stdio.standardError
                    $0.terminal = stdio.terminal
                }, metadata: metadata()
            ).pid
        }
    }

    /// Starts the task of `containerID`, or its exec'd process `execID`; returns the PID.
    @discardableResult
    public func startTask(_ containerID: String, execID: String? = nil) async throws -> UInt32 {
        try await call {
            try await tasksService.start(.with { $0.containerID = containerID; $0.execID = execID ?? "" }, metadata: metadata()).pid
        }
    }

    /// Waits until the task (or exec'd process) ends and returns its exit status (128 + n
    /// after signal n).
    public func waitTask(_ containerID: String, execID: String? = nil) async throws -> UInt32 {
        try await call {
            try await tasksService.wait(.with { $0.containerID = containerID; $0.execID = execID ?? "" }, metadata: metadata()).exitStatus
        }
    }

    /// Sends `signal` to the task's process (or exec'd process), or with `all` to every process
    /// in the container.
    public func killTask(_ containerID: String, signal: Int32, execID: String? = nil, all: Bool = false) async throws {
        _ = try await call {
            try await tasksService.kill(
                .with {
                    $0.containerID = containerID
                    $0.execID = execID ?? ""
                    $0.signal = UInt32(signal)
                    $0.all = all
                }, metadata: metadata())
        }
    }

    /// Deletes the stopped task of `containerID` and returns its exit status.
    @discardableResult
    public func deleteTask(_ containerID: String) async throws -> UInt32 {
        try await call { try await tasksService.delete(.with { $0.containerID = containerID }, metadata: metadata()).exitStatus }
    }

    /// The task of `containerID` (or its exec'd process), or nil when it has none.
    public func task(_ containerID: String, execID: String? = nil) async throws -> TaskProcess? {
        do {
            let process = try await call {
                try await tasksService.get(.with { $0.containerID = containerID; $0.execID = execID ?? "" }, metadata: metadata()).process
            }
            return TaskProcess(process)
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Adds process `execID` to the running task of `containerID`: `process` is an OCI process
    /// spec as JSON. Start it with ``startTask(_:execID:)``.
    public func exec(_ containerID: String, execID: String, process: Data, stdio: TaskStdio) async throws {
        _ = try await call {
            try await tasksService.exec(
                .with {
                    $0.containerID = containerID
                    $0.execID = execID
                    $0.spec = .with {
                        $0.typeURL = Self.processTypeURL
                        $0.value = process
                    }
                    $0.stdin = stdio.standardInput
                    $0.stdout = stdio.standardOutput
                    $0.stderr = stdio.standardError
                    $0.terminal = stdio.terminal
                }, metadata: metadata())
        }
    }

    /// Removes the ended process `execID` from the task of `containerID`.
    public func deleteProcess(_ containerID: String, execID: String) async throws {
        _ = try await call {
            try await tasksService.deleteProcess(.with { $0.containerID = containerID; $0.execID = execID }, metadata: metadata())
        }
    }

    /// Closes the standard input of the task (or exec'd process), so that it reads its end.
    public func closeStandardInput(_ containerID: String, execID: String? = nil) async throws {
        _ = try await call {
            try await tasksService.closeIO(
                .with {
                    $0.containerID = containerID
                    $0.execID = execID ?? ""
                    $0.stdin = true
                }, metadata: metadata())
        }
    }
}

extension TaskProcess {
    init(_ process: Containerd_V1_Types_Process) {
        let status: Status = switch process.status {
        case .created: .created
        case .running: .running
        case .stopped: .stopped
        case .paused: .paused
        case .pausing: .pausing
        default: .unknown
        }
        self.init(
            pid: process.pid, status: status, exitStatus: process.exitStatus,
            exitedAt: process.hasExitedAt ? process.exitedAt.date : nil)
    }
}
