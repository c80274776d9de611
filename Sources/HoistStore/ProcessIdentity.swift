#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A process as the store records the owners of leases and work directories: its pid, when it
/// started (clock ticks after boot, `/proc/PID/stat` field 22) and the boot it ran in. Together
/// they tell whether the owner still runs, however pids are reused and across reboots.
public struct ProcessIdentity: Sendable, Hashable, Codable {
    public var pid: Int32
    /// Clock ticks after boot at which the process started.
    public var startTime: UInt64
    /// `/proc/sys/kernel/random/boot_id` of the boot it ran in.
    public var bootID: String

    public init(pid: Int32, startTime: UInt64, bootID: String) {
        self.pid = pid
        self.startTime = startTime
        self.bootID = bootID
    }

    /// This process.
    public static let current = ProcessIdentity(
        pid: getpid(), startTime: startTime(of: getpid()) ?? 0, bootID: currentBootID)

    /// The running kernel's boot id (dashes removed), or empty where /proc does not say.
    static let currentBootID: String = (ProcFile.read("/proc/sys/kernel/random/boot_id") ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: "")

    /// True while the process runs: same boot, a process with its pid that started when it
    /// did and has not ended (a zombie waiting to be reaped has ended).
    public var isRunning: Bool {
        guard bootID == Self.currentBootID, let stat = ProcFile.read("/proc/\(pid)/stat") else { return false }
        let fields = Self.fieldsAfterName(stat)
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return false }
        return UInt64(fields[19]) == startTime
    }

    /// The identity as a file name: `PID-STARTTIME-BOOTID`.
    public var tag: String { "\(pid)-\(startTime)-\(bootID)" }

    /// Parses a ``tag``; nil for any other name.
    public init?(tag: String) {
        let parts = tag.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[0]), pid > 0, let start = UInt64(parts[1]),
            !parts[2].isEmpty, parts[2].allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(pid: pid, startTime: start, bootID: String(parts[2]))
    }

    static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = ProcFile.read("/proc/\(pid)/stat") else { return nil }
        let fields = fieldsAfterName(stat)
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// The fields of a `/proc/PID/stat` line after the parenthesised command name (which may
    /// itself hold spaces and parentheses): the state is the first.
    private static func fieldsAfterName(_ stat: String) -> [Substring] {
        guard let close = stat.lastIndex(of: ")") else { return [] }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
