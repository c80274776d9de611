#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
package import Foundation
package import HoistOCI

/// Conditions on images parsed from `key=value` strings, as `docker images --filter` and
/// `docker image prune --filter` take them. An image is selected when every condition holds:
/// several `label` filters must all match and several `label!` filters must all miss; of several
/// `reference` patterns one must match.
package struct ImageFilter {
    /// The filter keys. Each command accepts some of them.
    package enum Key: String, CaseIterable {
        case dangling, label, until, before, since, reference
        case notLabel = "label!"
    }

    /// What `hoist images --filter` accepts.
    package static let listKeys = Set(Key.allCases)
    /// What `hoist prune --filter` accepts, as `docker image prune` does.
    package static let pruneKeys: Set<Key> = [.dangling, .label, .notLabel, .until]

    /// What the conditions are checked against: an image, or one name of it in a listing.
    package struct Candidate {
        /// Its names (none for a dangling image).
        package var names: [Reference]
        /// Its config's labels.
        package var labels: [String: String]
        /// When it was created.
        package var created: Date

        package init(names: [Reference], labels: [String: String], created: Date) {
            self.names = names
            self.labels = labels
            self.created = created
        }
    }

    /// `key` present, or `key` with exactly `value` when a value is given.
    package struct LabelCondition: Hashable {
        var key: String
        var value: String?

        func holds(in labels: [String: String]) -> Bool {
            guard let actual = labels[key] else { return false }
            return value.map { $0 == actual } ?? true
        }
    }

    private(set) var dangling: Bool?
    private(set) var labels: [LabelCondition] = []
    private(set) var excludedLabels: [LabelCondition] = []
    /// Created at or before this moment (`until`).
    private(set) var createdUntil: Date?
    /// Created strictly before this moment (`before`).
    private(set) var createdBefore: Date?
    /// Created strictly after this moment (`since`).
    private(set) var createdAfter: Date?
    private(set) var referencePatterns: [String] = []

    /// Parses `filters`, each `key=value`.
    ///
    /// - Parameters:
    ///   - keys: the keys allowed here; any other is an error naming it.
    ///   - now: what durations (`until=24h`) count back from.
    ///   - createdDate: when the image a `before`/`since` value names was created.
    /// - Throws: ``ClientError`` `invalidArgument` for an unknown key, a missing `=`, or a value
    ///   that does not parse; what `createdDate` throws.
    package init(parsing filters: [String], accepting keys: Set<Key>, now: Date = Date(),
         createdDate: (String) throws -> Date = { _ in throw ClientError(.invalidArgument, "image filters cannot name images here") }) throws {
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw ClientError(.invalidArgument, "bad format of filter \"\(filter)\" (expected name=value)")
            }
            let name = String(filter[..<equals])
            let value = String(filter[filter.index(after: equals)...])
            guard let key = Key(rawValue: name), keys.contains(key) else {
                let accepted = keys.map(\.rawValue).sorted().joined(separator: ", ")
                throw ClientError(.invalidArgument, "invalid filter '\(name)': accepted filters are \(accepted)")
            }
            switch key {
            case .dangling:
                let flag = try Self.boolean(value, filter: filter)
                if let dangling, dangling != flag {
                    throw ClientError(.invalidArgument, "conflicting values for filter 'dangling'")
                }
                dangling = flag
            case .label: labels.append(try Self.labelCondition(value, filter: filter))
            case .notLabel: excludedLabels.append(try Self.labelCondition(value, filter: filter))
            case .until: createdUntil = Self.earliest(createdUntil, try FilterTime.parse(value, now: now))
            case .before: createdBefore = Self.earliest(createdBefore, try createdDate(value))
            case .since:
                let date = try createdDate(value)
                createdAfter = max(createdAfter ?? date, date)
            case .reference:
                guard !value.isEmpty else { throw ClientError(.invalidArgument, "filter \"\(filter)\" has an empty pattern") }
                referencePatterns.append(value)
            }
        }
    }

    /// Whether `candidate` meets every condition.
    package func matches(_ candidate: Candidate) -> Bool {
        if let dangling, dangling != candidate.names.isEmpty { return false }
        guard labels.allSatisfy({ $0.holds(in: candidate.labels) }),
              !excludedLabels.contains(where: { $0.holds(in: candidate.labels) })
        else { return false }
        if let createdUntil, candidate.created > createdUntil { return false }
        if let createdBefore, candidate.created >= createdBefore { return false }
        if let createdAfter, candidate.created <= createdAfter { return false }
        if !referencePatterns.isEmpty {
            return candidate.names.contains { name in referencePatterns.contains { Self.pattern($0, matches: name) } }
        }
        return true
    }

    /// Whether the glob `pattern` (`*`, `?`, `[…]`, none crossing a `/`) matches the familiar
    /// `name:tag` of `reference` or its familiar name alone, as Docker matches references.
    package static func pattern(_ pattern: String, matches reference: Reference) -> Bool {
        [reference.familiarString, reference.familiarName].contains { (text: String) in fnmatch(pattern, text, FNM_PATHNAME) == 0 }
    }

    private static func boolean(_ value: String, filter: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw ClientError(.invalidArgument, "invalid filter \"\(filter)\": the value must be true or false")
        }
    }

    private static func labelCondition(_ value: String, filter: String) throws -> LabelCondition {
        let parts = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard let key = parts.first, !key.isEmpty else {
            throw ClientError(.invalidArgument, "invalid filter \"\(filter)\": a label filter needs a key")
        }
        return LabelCondition(key: String(key), value: parts.count > 1 ? String(parts[1]) : nil)
    }

    private static func earliest(_ current: Date?, _ new: Date) -> Date {
        min(current ?? new, new)
    }
}
