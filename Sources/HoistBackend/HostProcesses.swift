import Foundation
import HoistRuntime

/// What `docker stats` and `docker top` show of a container whose processes run on this
/// machine, from the host's side: its cgroup's figures and the host's `ps` over its PIDs. For
/// every backend whose containers run here (native, containerd).
package enum HostProcesses {
    /// `docker stats` of the cgroup and network namespace process `pid` is in: two samples a
    /// second apart, as Docker's daemon takes them for `--no-stream`.
    package static func stats(ofProcess pid: Int32) async throws -> ContainerStats {
        guard let first = CgroupSample.of(pid: pid), let firstHost = CgroupSample.hostCPU() else { return .zero }
        try await Task.sleep(nanoseconds: 1_000_000_000)
        guard let second = CgroupSample.of(pid: pid), let secondHost = CgroupSample.hostCPU() else { return .zero }
        let network = CgroupSample.network(pid: pid)
        let host = CgroupSample.hostMemory()
        let limit = [second.memoryLimit, host].compactMap { $0 }.min() ?? 0
        return ContainerStats(
            cpuPercent: ContainerStats.cpuPercent(
                containerDelta: Double(second.cpuNanoseconds) - Double(first.cpuNanoseconds),
                systemDelta: Double(secondHost.nanoseconds) - Double(firstHost.nanoseconds), onlineCPUs: secondHost.onlineCPUs),
            memoryUsage: second.memoryUsage, memoryLimit: limit, networkReceived: network.received, networkSent: network.sent,
            blockRead: second.blockRead, blockWritten: second.blockWritten, processes: second.processes)
    }

    /// The rows of the host's `ps` (with `-ef` when no options are given) for `pids`, run as
    /// Docker's daemon runs it: the PIDs selected with `-q PID,…` (so options that select by
    /// terminal or user, such as `-o pid,comm`, still list them), again without it for options
    /// that refuse `-q`.
    package static func processes(_ pids: Set<Int32>, psArguments: [String]) async throws -> ContainerProcesses {
        let arguments = psArguments.isEmpty ? ["-ef"] : psArguments
        let text: String
        do {
            text = try await HostProcessList.text(arguments + ["-q", pids.sorted().map(String.init).joined(separator: ",")])
        } catch {
            do {
                text = try await HostProcessList.text(arguments)
            } catch let error as RuntimeError {
                throw ClientError(error.code, error.message)
            }
        }
        return try ContainerProcesses.parse(psOutput: text, pids: pids)
    }
}
