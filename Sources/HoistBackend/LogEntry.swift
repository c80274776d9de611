public import Foundation

/// One stretch of a container's output — a line with its newline, or the unfinished end of
/// one — with the stream it came on and when it was written (nil where the backend's logs do
/// not say).
public struct LogEntry: Sendable, Hashable {
    public enum Stream: Sendable, Hashable { case standardOutput, standardError }

    public var stream: Stream
    public var data: Data
    /// When it was written, in nanoseconds since the epoch (exact, as `-t` prints it).
    public var nanoseconds: Int64?

    public init(stream: Stream, data: Data, nanoseconds: Int64?) {
        self.stream = stream
        self.data = data
        self.nanoseconds = nanoseconds
    }

    public var time: Date? {
        nanoseconds.map { Date(timeIntervalSince1970: TimeInterval($0 / 1_000_000_000) + TimeInterval($0 % 1_000_000_000) / 1e9) }
    }

    /// `data` led by its time in RFC 3339 with nanoseconds, in UTC, as `docker logs -t` prints it
    /// (Go's RFC3339Nano: trailing zeros of the fraction dropped).
    public var timestamped: Data {
        guard let nanoseconds else { return data }
        return Data((Self.rfc3339Nano(nanoseconds) + " ").utf8) + data
    }

    /// `2024-05-01T10:30:00.25Z`: Go's `time.RFC3339Nano` of a time in nanoseconds since the
    /// epoch, in UTC.
    public static func rfc3339Nano(_ time: Int64) -> String {
        let whole = Int(time >= 0 ? time / 1_000_000_000 : (time - 999_999_999) / 1_000_000_000)
        let nanoseconds = Int(time - Int64(whole) * 1_000_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(whole)))
        func two(_ value: Int?) -> String { let text = String(value ?? 0); return text.count < 2 ? "0" + text : text }
        var text = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
        if nanoseconds > 0 {
            var fraction = String(nanoseconds)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// Cuts `data` into lines (each keeping its newline; an unfinished last one as it is).
    public static func lines(_ data: Data) -> [Data] {
        var lines: [Data] = []
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.endIndex
            lines.append(data[start..<end])
            start = end
        }
        return lines
    }

    /// What `options` keep of `entries` (in the order written): those in its time bounds, then
    /// the last `tail` of them — Docker counts the tail over both streams together.
    public static func selected(_ entries: [LogEntry], _ options: LogOptions) -> [LogEntry] {
        let bounded = entries.filter { options.admits($0.time) }
        guard let tail = options.tail else { return bounded }
        return Array(bounded.suffix(tail))
    }
}
