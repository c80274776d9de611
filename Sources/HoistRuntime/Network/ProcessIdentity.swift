#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A process as it can be recognised later, across pid reuse and reboots: its pid, its start
/// time (clock ticks after boot, from `/proc/PID/stat`) and the boot it ran in.
public struct ProcessIdentity: Sendable, Hashable, Codable {
    public var pid: Int32
    public var startTime: UInt64
    public var bootID: String

    public init(pid: Int32, startTime: UInt64, bootID: String) {
        self.pid = pid
        self.startTime = startTime
        self.bootID = bootID
    }

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTime: startTime(of: pid) ?? 0, bootID: bootID)
    }

    /// Whether the process still runs (a zombie counts as gone).
    public var isAlive: Bool {
        guard bootID == Self.bootID, let text = Self.stat(of: pid), Self.state(text) != "Z" else { return false }
        return Self.startTime(text) == startTime
    }

    static let bootID: String =
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""

    private static func stat(of pid: Int32) -> String? {
        try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    }

    private static func startTime(of pid: Int32) -> UInt64? { stat(of: pid).flatMap(startTime) }

    /// Fields after the command (which may hold spaces and parentheses): state is the first,
    /// starttime the 20th (field 22 of the line).
    private static func fields(_ text: String) -> [Substring] {
        guard let close = text.lastIndex(of: ")") else { return [] }
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func startTime(_ text: String) -> UInt64? {
        let fields = fields(text)
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    private static func state(_ text: String) -> Substring? { fields(text).first }
}
