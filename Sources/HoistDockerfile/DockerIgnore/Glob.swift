/// The building blocks of a compiled glob.
enum GlobToken: Sendable, Hashable {
    case literal(Unicode.Scalar)
    /// `*`: any run of characters other than `/`.
    case anyInSegment
    /// `?`: one character other than `/`.
    case oneInSegment
    /// `**` followed by more pattern: any number of whole segments, each with its `/`.
    case anyDirectories
    /// `**` at the end of the pattern: anything at all.
    case anything
    case set(GlobCharacterClass)
}

/// A bracket expression `[a-z_]` or `[^/]`.
struct GlobCharacterClass: Sendable, Hashable {
    var negated: Bool
    var ranges: [ClosedRangeOfScalars]

    struct ClosedRangeOfScalars: Sendable, Hashable {
        var low: Unicode.Scalar
        var high: Unicode.Scalar
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0.low <= scalar && scalar <= $0.high } != negated
    }

    /// A range written backwards (`[l-O]`): the regular-expression engine upstream rejects it.
    var invalidRange: String? {
        ranges.first { $0.low > $0.high }.map { "invalid character class range \($0.low)-\($0.high)" }
    }

    /// Parses the class whose `[` is just before `start`; returns it and the index after `]`.
    static func parse(_ scalars: [Unicode.Scalar], from start: Int) -> (GlobCharacterClass, Int)? {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRangeOfScalars] = []
        func item() -> Unicode.Scalar? {
            guard index < scalars.count else { return nil }
            if scalars[index] == "\\" {
                index += 1
                guard index < scalars.count else { return nil }
            }
            defer { index += 1 }
            return scalars[index]
        }
        while index < scalars.count {
            if scalars[index] == "]", !ranges.isEmpty {
                return (GlobCharacterClass(negated: negated, ranges: ranges), index + 1)
            }
            guard let low = item() else { return nil }
            var high = low
            if index < scalars.count, scalars[index] == "-" {
                index += 1
                guard let end = item() else { return nil }
                high = end
            }
            ranges.append(ClosedRangeOfScalars(low: low, high: high))
        }
        return nil
    }
}

/// Go `filepath.Match` syntax rules, which upstream checks when a pattern is added.
enum GlobSyntax {
    static func validate(_ pattern: String) throws(DockerIgnoreError) {
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        func bad() -> DockerIgnoreError { .badPattern(pattern) }
        func rangeEnd() throws(DockerIgnoreError) {
            guard index < scalars.count, scalars[index] != "-", scalars[index] != "]" else { throw bad() }
            if scalars[index] == "\\" {
                index += 1
                guard index < scalars.count else { throw bad() }
            }
            index += 1
        }
        while index < scalars.count {
            switch scalars[index] {
            case "\\":
                index += 2
                guard index <= scalars.count else { throw bad() }
            case "[":
                index += 1
                if index < scalars.count, scalars[index] == "^" { index += 1 }
                var count = 0
                while true {
                    guard index < scalars.count else { throw bad() }
                    if scalars[index] == "]", count > 0 {
                        index += 1
                        break
                    }
                    try rangeEnd()
                    if index < scalars.count, scalars[index] == "-" {
                        index += 1
                        try rangeEnd()
                    }
                    count += 1
                }
            default:
                index += 1
            }
        }
    }
}

/// Matches a token list against a whole path, with memoised backtracking (linear in
/// pattern × path for each star).
struct GlobMatcher {
    let tokens: [GlobToken]

    func matches(_ path: [Unicode.Scalar]) -> Bool {
        var failed = Set<Int>()
        return match(0, 0, path, &failed)
    }

    private func match(_ token: Int, _ position: Int, _ path: [Unicode.Scalar], _ failed: inout Set<Int>) -> Bool {
        let key = token &* (path.count + 1) &+ position
        if failed.contains(key) { return false }
        let result: Bool
        if token == tokens.count {
            result = position == path.count
        } else {
            switch tokens[token] {
            case .literal(let scalar):
                result =
                    position < path.count && path[position] == scalar && match(token + 1, position + 1, path, &failed)
            case .oneInSegment:
                result = position < path.count && path[position] != "/" && match(token + 1, position + 1, path, &failed)
            case .set(let set):
                result =
                    position < path.count && set.contains(path[position])
                    && match(token + 1, position + 1, path, &failed)
            case .anything:
                // Only ever the last token.
                result = true
            case .anyInSegment:
                var end = position
                var found = match(token + 1, end, path, &failed)
                while !found, end < path.count, path[end] != "/" {
                    end += 1
                    found = match(token + 1, end, path, &failed)
                }
                result = found
            case .anyDirectories:
                // `(.*/)?`: nothing, or anything up to and including some later `/`.
                var found = match(token + 1, position, path, &failed)
                var end = position
                while !found, end < path.count {
                    if path[end] == "/" { found = match(token + 1, end + 1, path, &failed) }
                    end += 1
                }
                result = found
            }
        }
        if !result { failed.insert(key) }
        return result
    }
}
