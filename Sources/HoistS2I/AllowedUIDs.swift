import Foundation

/// `--allowed-uids`: the user IDs an S2I build may run as, written as S2I writes them: `1000`,
/// `1-` (1 and up), `-999` (up to 999), `100-200`, several joined by commas.
public struct AllowedUIDs: Sendable, Hashable, CustomStringConvertible {
    /// The ranges; an empty one (written as nothing between commas) admits nobody.
    public let ranges: [ClosedRange<Int>?]
    /// The text it was read from, for messages.
    public let description: String

    /// Reads `text` as S2I's `user.ParseRangeList` does; an empty text allows every user (no
    /// check is made).
    ///
    /// - Throws: ``S2IError`` `invalidArgument` for a part that is not a uid or a range.
    public init(parsing text: String) throws {
        var ranges: [ClosedRange<Int>?] = []
        if !text.isEmpty {
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                ranges.append(try Self.range(String(part), in: text))
            }
        }
        self.ranges = ranges
        description = text
    }

    /// Whether no range admits anyone: then S2I checks nothing.
    public var isEmpty: Bool { ranges.allSatisfy { $0 == nil } }

    /// Whether `user` is allowed, as S2I's `IsUserAllowed` decides: it must be a number (a
    /// name, an empty user and `uid:gid` are not) inside one of the ranges.
    public func allows(_ user: String) -> Bool {
        guard !isEmpty else { return true }
        guard let uid = Int(user) else { return false }
        return ranges.contains { $0?.contains(uid) ?? false }
    }

    /// One range: `n`, `-n`, `n-` or `n-m`, with non-negative numbers.
    private static func range(_ part: String, in text: String) throws -> ClosedRange<Int>? {
        let value = part.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        let bounds = value.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func number(_ digits: String) throws -> Int {
            guard let number = Int(digits), number >= 0 else {
                throw S2IError(
                    .invalidArgument,
                    "--allowed-uids \(text.isEmpty ? "\"\"" : text): \"\(value)\" is not one of n, -n, n- or n-m with non-negative numbers")
            }
            return number
        }
        switch bounds.count {
        case 1:
            let uid = try number(bounds[0])
            return uid...uid
        case 2:
            let low = bounds[0].isEmpty ? 0 : try number(bounds[0])
            let high = bounds[1].isEmpty ? Int.max : try number(bounds[1])
            guard low <= high else {
                throw S2IError(.invalidArgument, "--allowed-uids \(text): in \"\(value)\" the upper bound is below the lower one")
            }
            return low...high
        default:
            throw S2IError(.invalidArgument, "--allowed-uids \(text): \"\(value)\" is not one of n, -n, n- or n-m")
        }
    }
}
