/// One parser directive line (`# syntax=…`, `# escape=…`, `# check=…`).
public struct ParserDirective: Sendable, Hashable {
    /// The directive's name in lower case.
    public var name: String
    /// The value after `=`, trimmed.
    public var value: String
    /// The 1-based line it was on.
    public var line: Int
}

/// The parser directives of a Dockerfile. They are read only from the lines before the first
/// blank line, comment that is not a directive, or instruction.
public struct ParserDirectives: Sendable, Hashable {
    /// The directive names BuildKit recognises.
    public static let known: Set<String> = ["syntax", "escape", "check"]

    /// Every directive, in file order.
    public var all: [ParserDirective] = []

    /// Creates an empty set (escape character `\`).
    public init() {}

    /// The value of the named directive, if present.
    public subscript(name: String) -> String? {
        all.first { $0.name == name.lowercased() }?.value
    }

    /// The `syntax` directive's frontend image, if present.
    public var syntax: String? { self["syntax"] }

    /// The escape and line-continuation character: `\` unless `# escape=`` ` was given.
    public var escapeCharacter: Unicode.Scalar {
        self["escape"].flatMap { $0.unicodeScalars.first } ?? "\\"
    }

    /// The `check` directive's raw value (`skip=…;error=true`), if present.
    public var check: String? { self["check"] }

    /// The directives at the top of `text`, read without parsing the rest (which may not be a
    /// Dockerfile at all when `# syntax=` names another frontend). A malformed header gives
    /// the directives before the fault; the full parse reports it.
    public static func header(of text: String) -> ParserDirectives {
        var scanner = DirectiveScanner()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard (try? scanner.scan(line.unicodeScalars, lineNumber: index + 1)) == true else { break }
        }
        return scanner.directives
    }
}

/// Recognises directive lines while the parser is still in the directive header.
struct DirectiveScanner {
    private(set) var directives = ParserDirectives()
    private var done = false

    /// Looks at one physical line (leading blanks already removed, or not) and records it when
    /// it is a directive; returns whether it was one. Throws on a repeated directive or a bad
    /// escape value.
    @discardableResult
    mutating func scan(_ line: Substring.UnicodeScalarView, lineNumber: Int) throws(ParseFailure) -> Bool {
        guard !done else { return false }
        guard let (key, value) = Self.split(line) else {
            done = true
            return false
        }
        let name = key.lowercased()
        guard ParserDirectives.known.contains(name) else {
            done = true
            return false
        }
        if directives.all.contains(where: { $0.name == name }) {
            throw ParseFailure("only one \(name) parser directive can be used")
        }
        if name == "escape", value != "`", value != "\\" {
            throw ParseFailure("invalid escape token '\(value)' does not match ` or \\")
        }
        directives.all.append(ParserDirective(name: name, value: value, line: lineNumber))
        return true
    }

    /// Splits `# key = value` (key: a letter then letters/digits; value: non-empty, trimmed).
    private static func split(_ line: Substring.UnicodeScalarView) -> (String, String)? {
        var scalars = line[...]
        while let first = scalars.first, isRegexSpace(first) { scalars.removeFirst() }
        guard scalars.first == "#" else { return nil }
        scalars.removeFirst()
        while let first = scalars.first, isRegexSpace(first) { scalars.removeFirst() }
        var key = String.UnicodeScalarView()
        while let first = scalars.first, first.isASCII,
            first.properties.isAlphabetic || (!key.isEmpty && ("0"..."9").contains(first))
        {
            key.append(first)
            scalars.removeFirst()
        }
        guard !key.isEmpty else { return nil }
        while let first = scalars.first, isRegexSpace(first) { scalars.removeFirst() }
        guard scalars.first == "=" else { return nil }
        scalars.removeFirst()
        let value = String(String.UnicodeScalarView(scalars)).trimmingRegexSpace()
        guard !value.isEmpty else { return nil }
        return (String(key), value)
    }
}

/// An error found by the line parser, located later by the caller.
struct ParseFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
