import Foundation

/// The last lines a step printed, kept for the error when it fails. Appended to from any thread.
public final class OutputTail: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private var kept: [String] = []
    private var partial = ""

    public init(lines: Int) {
        limit = lines
    }

    public func append(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        var parts = (partial + text).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        partial = parts.removeLast()
        kept.append(contentsOf: parts)
        if kept.count > limit { kept.removeFirst(kept.count - limit) }
    }

    /// The kept lines, oldest first, with an unfinished last line.
    public var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        let all = partial.isEmpty ? kept : kept + [partial]
        return Array(all.suffix(limit))
    }
}
