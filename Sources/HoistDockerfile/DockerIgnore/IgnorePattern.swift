/// One `.dockerignore` pattern, compiled for matching slash-separated paths relative to the
/// build context.
///
/// Syntax (as Docker's `moby/patternmatcher`): `*` any run inside one path segment, `?` one
/// character other than `/`, `[…]`/`[^…]` character classes with ranges, `**` any number of
/// segments (zero included), `\x` a literal `x`, and a leading `!` for an exception.
public struct IgnorePattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern after trimming and path cleaning, without the `!`.
    public let cleanedPattern: String
    /// Whether the pattern re-includes paths (`!pattern`).
    public let isException: Bool
    private let kind: Kind

    private enum Kind: Sendable, Hashable {
        case exact
        case prefix(String)
        case suffix(String)
        case glob([GlobToken])
        /// Syntactically accepted, but no path can be matched against it (a reversed class
        /// range): every match fails, as upstream's regular-expression compile does.
        case invalid(String)
    }

    /// Compiles one pattern as written in a `.dockerignore` (or a `COPY --exclude`).
    /// Returns nil for a pattern that is empty after trimming.
    /// - Throws: ``DockerIgnoreError`` for a lone `!` or a malformed pattern.
    public init?(_ text: String) throws(DockerIgnoreError) {
        var pattern = text.trimmingUnicodeSpace()
        guard !pattern.isEmpty else { return nil }
        pattern = cleanPath(pattern)
        var exception = false
        if pattern.hasPrefix("!") {
            guard pattern.count > 1 else { throw DockerIgnoreError.illegalExclusion }
            exception = true
            pattern.removeFirst()
        }
        try GlobSyntax.validate(pattern)
        self.cleanedPattern = pattern
        self.isException = exception
        self.kind = Self.compile(pattern)
    }

    public var description: String { (isException ? "!" : "") + cleanedPattern }

    /// Whether the pattern matches exactly this path (not its parents).
    /// - Throws: ``DockerIgnoreError/badPattern(_:)`` when the pattern cannot match anything.
    public func matches(exactly path: String) throws(DockerIgnoreError) -> Bool {
        switch kind {
        case .exact: return path == cleanedPattern
        case .prefix(let prefix): return path.hasPrefix(prefix)
        case .suffix(let suffix):
            if path.hasSuffix(suffix) { return true }
            // `**/foo` also matches `foo` itself.
            return suffix.hasPrefix("/") && path == suffix.dropFirst()
        case .glob(let tokens): return GlobMatcher(tokens: tokens).matches(Array(path.unicodeScalars))
        case .invalid(let reason): throw DockerIgnoreError.badPattern(reason)
        }
    }

    /// Chooses the representation upstream's compiler ends with: plain comparisons for
    /// literal patterns and the `dir/**` and `**name` shapes, a token matcher otherwise.
    private static func compile(_ pattern: String) -> Kind {
        enum Shape { case exact, prefix, suffix, glob }
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [GlobToken] = []
        var shape = Shape.exact
        var index = 0
        while index < scalars.count {
            let atStart = index == 0
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*" where index < scalars.count && scalars[index] == "*":
                index += 1
                // `**/` is the same as `**`.
                if index < scalars.count, scalars[index] == "/" { index += 1 }
                if index == scalars.count {
                    shape = shape == .exact ? .prefix : .glob
                    tokens.append(.anything)
                } else {
                    shape = .glob
                    tokens.append(.anyDirectories)
                }
                if atStart { shape = .suffix }
            case "*":
                shape = .glob
                tokens.append(.anyInSegment)
            case "?":
                shape = .glob
                tokens.append(.oneInSegment)
            case "\\" where index < scalars.count:
                shape = .glob
                tokens.append(.literal(scalars[index]))
                index += 1
            case "[":
                shape = .glob
                guard let (set, next) = GlobCharacterClass.parse(scalars, from: index) else {
                    return .invalid("unterminated character class in \(pattern)")
                }
                if let reason = set.invalidRange { return .invalid(reason) }
                tokens.append(.set(set))
                index = next
            case "]":
                shape = .glob
                tokens.append(.literal(scalar))
            default:
                tokens.append(.literal(scalar))
            }
        }
        switch shape {
        case .exact: return .exact
        case .prefix: return .prefix(String(pattern.dropLast(2)))
        case .suffix: return .suffix(String(pattern.dropFirst(2)))
        case .glob: return .glob(tokens)
        }
    }
}
