/// `--allowed-uids`: ranges of user IDs an S2I build may assemble as, written `1-`, `100-200`,
/// `1000` or several joined by commas.
public struct AllowedUIDs: Sendable, Hashable, CustomStringConvertible {
    public let ranges: [ClosedRange<UInt32>]
    public let description: String

    public init(parsing text: String) throws {
        var ranges: [ClosedRange<UInt32>] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let low = bounds.first.flatMap { $0.isEmpty ? 0 : UInt32($0) }
            let high = bounds.count == 2 ? (bounds[1].isEmpty ? UInt32.max : UInt32(bounds[1])) : low
            guard let low, let high, low <= high else {
                throw S2IError(.invalidArgument, "--allowed-uids \(text): \(part) is not a uid or a range such as 1- or 100-200")
            }
            ranges.append(low...high)
        }
        guard !ranges.isEmpty else { throw S2IError(.invalidArgument, "--allowed-uids is empty") }
        self.ranges = ranges
        description = text
    }

    /// Refuses `user` (`name`, `uid` or `uid:gid`) unless it is a numeric uid inside the ranges;
    /// `what` says where the user comes from, for the message.
    public func check(_ user: String?, what: String) throws {
        let name = (user ?? "").split(separator: ":").first.map(String.init) ?? ""
        guard let uid = UInt32(name.isEmpty ? "0" : name) else {
            throw S2IError(.failedPrecondition, "\(what) \"\(user ?? "")\" is not a numeric user ID, as --allowed-uids \(description) requires")
        }
        guard ranges.contains(where: { $0.contains(uid) }) else {
            throw S2IError(.failedPrecondition, "\(what) has uid \(uid), outside --allowed-uids \(description)")
        }
    }
}
