public import Foundation
import HoistStore

/// A process's cgroup counters as `docker stats` reads them, from cgroup v2 files or the v1
/// controllers (this machine's hybrid layout has the controllers on v1), found through
/// `/proc/PID/cgroup` so that any runtime's or engine's placement is read alike.
public struct CgroupSample: Sendable, Hashable {
    /// CPU time used, in nanoseconds.
    public var cpuNanoseconds: UInt64
    /// Memory in use less the inactive file cache (Docker's "usage without cache"), and the limit
    /// (nil: none).
    public var memoryUsage: UInt64
    public var memoryLimit: UInt64?
    public var blockRead: UInt64
    public var blockWritten: UInt64
    public var processes: UInt64

    /// The counters of the cgroups process `pid` is in, or nil when it has gone.
    public static func of(pid: Int32) -> CgroupSample? {
        guard let membership = ProcFile.read("/proc/\(pid)/cgroup") else { return nil }
        return parse(membership: membership) { ProcFile.read("/sys/fs/cgroup/" + $0) }
    }

    /// The counters for `/proc/PID/cgroup` text `membership`, reading each cgroup file (a path
    /// below `/sys/fs/cgroup`) with `read`.
    public static func parse(membership: String, read: (String) -> String?) -> CgroupSample {
        var v1: [String: String] = [:]
        var unified: String?
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0", fields[1].isEmpty {
                unified = String(fields[2])
            } else {
                for controller in fields[1].split(separator: ",") {
                    v1[String(controller)] = String(fields[1]) + String(fields[2])
                }
            }
        }
        func file(_ controller: String, _ name: String) -> String? {
            guard let directory = v1[controller] else { return nil }
            return read(directory + "/" + name)
        }
        func number(_ text: String?) -> UInt64? { text.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        // v1 where the controller is there (hybrid hosts), else the unified hierarchy.
        if v1["memory"] != nil || v1["cpuacct"] != nil {
            let usage = number(file("memory", "memory.usage_in_bytes")) ?? 0
            let inactive = keyed(file("memory", "memory.stat"))["total_inactive_file"] ?? 0
            let limit = number(file("memory", "memory.limit_in_bytes"))
            let (read, written) = blockIO(v1: file("blkio", "blkio.throttle.io_service_bytes"))
            return CgroupSample(
                cpuNanoseconds: number(file("cpuacct", "cpuacct.usage")) ?? 0,
                memoryUsage: inactive < usage ? usage - inactive : usage,
                // v1 writes "no limit" as the largest page-aligned number.
                memoryLimit: limit.flatMap { $0 >= 1 << 62 ? nil : $0 },
                blockRead: read, blockWritten: written, processes: number(file("pids", "pids.current")) ?? 0)
        }
        let root = String((unified ?? "/").dropFirst())
        func unifiedFile(_ name: String) -> String? { read(root.isEmpty ? name : root + "/" + name) }
        let usage = number(unifiedFile("memory.current")) ?? 0
        let inactive = keyed(unifiedFile("memory.stat"))["inactive_file"] ?? 0
        let (read, written) = blockIO(v2: unifiedFile("io.stat"))
        return CgroupSample(
            cpuNanoseconds: (keyed(unifiedFile("cpu.stat"))["usage_usec"] ?? 0) * 1000,
            memoryUsage: inactive < usage ? usage - inactive : usage,
            memoryLimit: number(unifiedFile("memory.max")),
            blockRead: read, blockWritten: written, processes: number(unifiedFile("pids.current")) ?? 0)
    }

    /// `key value` lines as a dictionary.
    static func keyed(_ text: String?) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    /// Bytes read and written: v1's `MAJ:MIN Read N` lines, or v2's `MAJ:MIN rbytes=N wbytes=N …`.
    static func blockIO(v1 text: String? = nil, v2 unified: String? = nil) -> (read: UInt64, written: UInt64) {
        var read: UInt64 = 0, written: UInt64 = 0
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let value = UInt64(fields[2]) else { continue }
            switch fields[1].lowercased() {
            case "read": read += value
            case "write": written += value
            default: break
            }
        }
        for line in (unified ?? "").split(separator: "\n") {
            for field in line.split(separator: " ").dropFirst() {
                let pair = field.split(separator: "=")
                guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                if pair[0] == "rbytes" { read += value }
                if pair[0] == "wbytes" { written += value }
            }
        }
        return (read, written)
    }

    /// The host's CPU time in nanoseconds (the `cpu` line of `/proc/stat`, as Docker's
    /// `system_cpu_usage`) and the CPUs online.
    public static func hostCPU() -> (nanoseconds: UInt64, onlineCPUs: Int)? {
        guard let text = ProcFile.read("/proc/stat") else { return nil }
        var total: UInt64?
        var cpus = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("cpu ") {
                // user nice system idle iowait irq softirq steal, in clock ticks (100 a second on Linux).
                total = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }.reduce(0, +) * 10_000_000
            } else if line.hasPrefix("cpu") {
                cpus += 1
            }
        }
        return total.map { ($0, max(cpus, 1)) }
    }

    /// Bytes received and sent on the interfaces of process `pid`'s network namespace, its
    /// loopback left out (`/proc/PID/net/dev`).
    public static func network(pid: Int32) -> (received: UInt64, sent: UInt64) {
        parseNetworkDevices(ProcFile.read("/proc/\(pid)/net/dev") ?? "")
    }

    static func parseNetworkDevices(_ text: String) -> (received: UInt64, sent: UInt64) {
        var received: UInt64 = 0, sent: UInt64 = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) != "lo" else { continue }
            let fields = parts[1].split(separator: " ").compactMap { UInt64($0) }
            guard fields.count >= 9 else { continue }
            received += fields[0]
            sent += fields[8]
        }
        return (received, sent)
    }

    /// The host's memory (`MemTotal` of `/proc/meminfo`), Docker's limit for a container without one.
    public static func hostMemory() -> UInt64? {
        guard let text = ProcFile.read("/proc/meminfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
        else { return nil }
        return kilobytes * 1024
    }
}
