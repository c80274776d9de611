import GRPCCore
import HoistContainerdAPI
import SwiftProtobuf

/// Freezing a task and listing its processes (`docker pause`, `unpause`, `top`).
extension ContainerdClient {
    private var taskControl: Containerd_Services_Tasks_V1_Tasks.Client<Transport> { .init(wrapping: grpc) }

    /// Freezes every process of the task of `containerID`.
    public func pauseTask(_ containerID: String) async throws {
        _ = try await call { try await taskControl.pause(.with { $0.containerID = containerID }, metadata: metadata()) }
    }

    /// Thaws the task of `containerID`.
    public func resumeTask(_ containerID: String) async throws {
        _ = try await call { try await taskControl.resume(.with { $0.containerID = containerID }, metadata: metadata()) }
    }

    /// The host PIDs of the task's processes.
    public func taskProcessIDs(_ containerID: String) async throws -> [Int32] {
        try await call {
            try await taskControl.listPids(.with { $0.containerID = containerID }, metadata: metadata()).processes.map { Int32(bitPattern: $0.pid) }
        }
    }
}
