/// A shell glob as used in `${VAR#pattern}`, `${VAR%pattern}` and `${VAR/pattern/repl}`:
/// `*` any run, `?` one character, `\*` `\?` `\\` literals; everything else literal.
///
/// Like BuildKit's regular-expression translation, the wildcards never match a newline.
struct ShellPattern {
    enum Token: Equatable {
        case literal(Unicode.Scalar)
        case any
        case one
    }

    let tokens: [Token]

    /// Compiles `pattern`; throws on an escape of anything but `*`, `?`, `\` (or `}`, whose
    /// escape is dropped).
    init(_ pattern: String) throws(ShellExpansionError) {
        var tokens: [Token] = []
        let scalars = Array(pattern.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*": tokens.append(.any)
            case "?": tokens.append(.one)
            case "\\":
                if index < scalars.count, scalars[index] == "}" { continue }
                guard index < scalars.count, ["*", "?", "\\"].contains(scalars[index]) else {
                    let next = index < scalars.count ? String(scalars[index]) : ""
                    throw ShellExpansionError(
                        "invalid pattern (\(pattern)) in substitution: invalid escape '\\\(next)'")
                }
                tokens.append(.literal(scalars[index]))
                index += 1
            default: tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// The pattern that matches the reverse of what this one matches.
    var reversed: ShellPattern { ShellPattern(tokens: tokens.reversed()) }

    /// Whether the pattern matches all of `text[range]`.
    func matches(_ text: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        // Classic two-pointer glob match with backtracking to the last star.
        var t = range.lowerBound
        var p = 0
        var starP = -1
        var starT = 0
        while t < range.upperBound {
            if p < tokens.count {
                switch tokens[p] {
                case .literal(let scalar) where scalar == text[t]:
                    p += 1
                    t += 1
                    continue
                case .one where text[t] != "\n":
                    p += 1
                    t += 1
                    continue
                case .any:
                    starP = p
                    starT = t
                    p += 1
                    continue
                default: break
                }
            }
            guard starP >= 0, text[starT] != "\n" else { return false }
            starT += 1
            t = starT
            p = starP + 1
        }
        while p < tokens.count, tokens[p] == .any { p += 1 }
        return p == tokens.count
    }

    /// The length of the shortest (or, when `longest`, the longest) match starting at `start`.
    func prefixMatch(_ text: [Unicode.Scalar], from start: Int, longest: Bool) -> Int? {
        let lengths = Array(0...(text.count - start))
        for length in longest ? lengths.reversed() : lengths where matches(text, start..<(start + length)) {
            return length
        }
        return nil
    }
}
