/// Character classes shared by the parser and the shell lexer, matching the Go definitions
/// BuildKit relies on so that Hoist splits text exactly where BuildKit does.

/// `unicode.IsSpace`: the Unicode White_Space property.
@inline(__always)
func isUnicodeSpace(_ scalar: Unicode.Scalar) -> Bool {
    // ASCII first: the Unicode property lookup is comparatively slow and rarely needed.
    if scalar.value < 0x80 {
        return scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)
    }
    return scalar.properties.isWhitespace
}

/// `\s` in Go regular expressions (RE2): `[\t\n\f\r ]`.
@inline(__always)
func isRegexSpace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case " ", "\t", "\n", "\r", "\u{0C}": return true
    default: return false
    }
}

/// The blanks that separate a keyword from its arguments and whitespace-split arguments:
/// `[\t\v\f\r ]`.
@inline(__always)
func isWordBlank(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case " ", "\t", "\r", "\u{0B}", "\u{0C}": return true
    default: return false
    }
}

extension String {
    /// The string without leading and trailing `\s` characters.
    func trimmingRegexSpace() -> String {
        trimming(isRegexSpace)
    }

    /// The string without leading and trailing Unicode white space (Go's `strings.TrimSpace`).
    func trimmingUnicodeSpace() -> String {
        trimming(isUnicodeSpace)
    }

    func trimming(_ predicate: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !predicate($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !predicate($0) })!
        return String(scalars[first...last])
    }

    /// Splits on runs of `isWordBlank`, dropping empty pieces; at most `limit` pieces, the last
    /// one holding the untouched remainder.
    func splitOnBlanks(limit: Int = .max) -> [String] {
        var pieces: [String] = []
        let scalars = unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            while index < scalars.endIndex, isWordBlank(scalars[index]) { index = scalars.index(after: index) }
            guard index < scalars.endIndex else { break }
            if pieces.count == limit - 1 {
                pieces.append(String(Substring(scalars[index...])))
                break
            }
            let start = index
            while index < scalars.endIndex, !isWordBlank(scalars[index]) { index = scalars.index(after: index) }
            pieces.append(String(Substring(scalars[start..<index])))
        }
        return pieces
    }
}

extension String.UnicodeScalarView {
    init(_ slice: ArraySlice<Unicode.Scalar>) {
        self.init()
        append(contentsOf: slice)
    }
}
