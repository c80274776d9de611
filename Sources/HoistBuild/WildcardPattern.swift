/// A `COPY`/`ADD` source wildcard, matched as Go's `filepath.Match` matches (BuildKit resolves
/// sources with it): `*` any run of characters but `/`, `?` one character but `/`, `[a-z]` and
/// `[^a-z]` classes, `\` escaping the next character. A leading dot is an ordinary character
/// (unlike the shell's globs), and a malformed pattern (`[`, `[]`, a trailing `\`) matches nothing.
struct WildcardPattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case anyRun
        case one
        case set(negated: Bool, ranges: [ScalarRange])
    }

    /// `low-high` in a class; written backwards (`z-a`) it is well-formed and matches nothing.
    struct ScalarRange: Sendable, Hashable {
        var low: Unicode.Scalar
        var high: Unicode.Scalar

        func contains(_ scalar: Unicode.Scalar) -> Bool { low <= scalar && scalar <= high }
    }

    /// The compiled pattern; nil when malformed.
    let tokens: [Token]?

    init(_ pattern: String) {
        tokens = Self.compile(Array(pattern.unicodeScalars))
    }

    /// Whether the text has a wildcard character that is not escaped: BuildKit copies such a
    /// source by matching, and any other source by name.
    static func containsWildcards(_ text: String) -> Bool {
        var escaped = false
        for scalar in text.unicodeScalars {
            if escaped {
                escaped = false
            } else if scalar == "\\" {
                escaped = true
            } else if scalar == "*" || scalar == "?" || scalar == "[" {
                return true
            }
        }
        return false
    }

    /// Whether the whole of `name`, one path component, matches.
    func matches(_ name: String) -> Bool {
        guard let tokens else { return false }
        let text = Array(name.unicodeScalars)
        // Two cursors, backtracking to the last `*` only: linear in practice, never exponential.
        var t = 0
        var p = 0
        var star: (token: Int, text: Int)?
        while t < text.count {
            if p < tokens.count {
                switch tokens[p] {
                case .anyRun:
                    star = (p, t)
                    p += 1
                    continue
                case .one where text[t] != "/":
                    p += 1
                    t += 1
                    continue
                case .literal(let literal) where literal == text[t]:
                    p += 1
                    t += 1
                    continue
                case .set(let negated, let ranges) where ranges.contains(where: { $0.contains(text[t]) }) != negated:
                    p += 1
                    t += 1
                    continue
                default:
                    break
                }
            }
            // A `*` never takes a `/`.
            guard let last = star, text[last.text] != "/" else { return false }
            star = (last.token, last.text + 1)
            t = last.text + 1
            p = last.token + 1
        }
        while p < tokens.count, tokens[p] == .anyRun { p += 1 }
        return p == tokens.count
    }

    private static func compile(_ scalars: [Unicode.Scalar]) -> [Token]? {
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                tokens.append(.one)
            case "\\":
                guard index < scalars.count else { return nil }
                tokens.append(.literal(scalars[index]))
                index += 1
            case "[":
                var negated = false
                if index < scalars.count, scalars[index] == "^" {
                    negated = true
                    index += 1
                }
                var ranges: [ScalarRange] = []
                // A class item: a character other than `-` and `]`, or any escaped one.
                func item() -> Unicode.Scalar? {
                    guard index < scalars.count, scalars[index] != "-", scalars[index] != "]" else { return nil }
                    if scalars[index] == "\\" { index += 1 }
                    guard index < scalars.count else { return nil }
                    defer { index += 1 }
                    return scalars[index]
                }
                while true {
                    if index < scalars.count, scalars[index] == "]", !ranges.isEmpty {
                        index += 1
                        break
                    }
                    guard let low = item() else { return nil }
                    var high = low
                    if index < scalars.count, scalars[index] == "-" {
                        index += 1
                        guard let end = item() else { return nil }
                        high = end
                    }
                    // The class must be closed further on.
                    guard index < scalars.count else { return nil }
                    ranges.append(ScalarRange(low: low, high: high))
                }
                tokens.append(.set(negated: negated, ranges: ranges))
            default:
                tokens.append(.literal(scalar))
            }
        }
        return tokens
    }
}
