public import Foundation

/// What `docker pause`, `unpause`, `top` and `stats` ask of a running container, through the
/// runtime (`runc`/`crun` `pause`, `resume`, `ps`, `state`).
extension RuncExecutor {
    /// Freezes every process of container `id` (the runtime's freezer cgroup).
    public func pause(_ id: String) throws { try control(["pause", id], "pause") }

    /// Thaws container `id`.
    public func resume(_ id: String) throws { try control(["resume", id], "unpause") }

    /// The host PIDs of container `id`'s processes.
    public func processIDs(of id: String) throws -> [Int32] {
        var ps = runtime.process(["--root", stateDirectory.path, "ps", "--format", "json", id])
        ps.standardError = .collect
        let result = try ps.runBlocking()
        guard result.status == .exited(0),
              let pids = try? JSONSerialization.jsonObject(with: result.standardOutput) as? [NSNumber]
        else {
            throw RuntimeError(.failedPrecondition, "cannot list the processes of container \(id): \(result.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return pids.map(\.int32Value)
    }

    /// The host PID of container `id`'s first process, or nil when it has none running.
    public func initProcessID(of id: String) -> Int32? {
        var state = runtime.process(["--root", stateDirectory.path, "state", id])
        state.standardError = .discard
        guard let result = try? state.runBlocking(), result.status == .exited(0),
              let object = try? JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any],
              let pid = (object["pid"] as? NSNumber)?.int32Value, pid > 0
        else { return nil }
        return pid
    }

    private func control(_ arguments: [String], _ verb: String) throws {
        var command = runtime.process(["--root", stateDirectory.path] + arguments)
        command.standardOutput = .discard
        command.standardError = .collect
        let result = try command.runBlocking()
        guard result.status == .exited(0) else {
            throw RuntimeError(
                .failedPrecondition, "cannot \(verb) container \(arguments.last ?? ""): \(result.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}

/// The host's `ps`, which `docker top` runs over a container's processes.
public enum HostProcessList {
    /// What `ps ARGUMENTS` prints.
    ///
    /// - Throws: ``RuntimeError`` `invalidArgument` with ps's message when it refuses the options.
    public static func text(_ arguments: [String]) async throws -> String {
        var ps = ExternalProcess(try ExternalProcess.resolve("ps"), arguments)
        ps.standardError = .collect
        let result = try await ps.run()
        guard result.status == .exited(0) else {
            throw RuntimeError(.invalidArgument, "ps: \(result.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.outputText
    }
}
