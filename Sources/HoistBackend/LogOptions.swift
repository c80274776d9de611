public import Foundation

/// Which of a container's output `hoist logs` asks for, as `docker logs` takes it.
public struct LogOptions: Sendable, Hashable {
    /// Only the last this many lines (of both streams together); nil for all (`--tail all`).
    public var tail: Int?
    /// Only lines written at or after this moment (`--since`).
    public var since: Date?
    /// Only lines written before this moment (`--until`).
    public var until: Date?
    /// Each line led by the time it was written, as Docker prints it (`-t`).
    public var timestamps: Bool
    /// Go on with what the container writes until it ends (`-f`).
    public var follow: Bool

    public init(tail: Int? = nil, since: Date? = nil, until: Date? = nil, timestamps: Bool = false, follow: Bool = false) {
        self.tail = tail
        self.since = since
        self.until = until
        self.timestamps = timestamps
        self.follow = follow
    }

    /// Whether a line written at `time` is wanted: at or after `since`, before `until` (Docker's
    /// bounds). A line of unknown time is kept.
    public func admits(_ time: Date?) -> Bool {
        guard let time else { return true }
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return true
    }

    /// `--tail`'s value as Docker's daemon reads it: a count, or every line for `all`, a
    /// negative number or anything that is not a number (Docker does not refuse it).
    public static func tailCount(_ text: String) -> Int? {
        guard let count = Int(text), count >= 0 else { return nil }
        return count
    }
}
