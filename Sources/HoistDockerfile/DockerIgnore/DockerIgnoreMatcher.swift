/// Decides which build-context paths a `.dockerignore` excludes, exactly as Docker does.
///
/// Patterns apply in order. A path starts "not excluded"; while it is not excluded only
/// ordinary patterns are tried, once excluded only `!` exceptions are; each pattern that
/// matches the path, or any directory above it, flips the state.
///
/// ```swift
/// let matcher = try DockerIgnoreMatcher(patterns: ["*.md", "!README.md"])
/// try matcher.matchesOrParentMatches("docs/a.md")   // true: excluded
/// ```
public struct DockerIgnoreMatcher: Sendable, Hashable {
    /// The compiled patterns, empty ones dropped, in file order.
    public let patterns: [IgnorePattern]

    /// Compiles `patterns` (as read by ``DockerIgnoreFile/patterns(from:)`` or given by
    /// `COPY --exclude`).
    /// - Throws: ``DockerIgnoreError`` for a lone `!` or a malformed pattern.
    public init(patterns: [String]) throws(DockerIgnoreError) {
        var compiled: [IgnorePattern] = []
        for text in patterns {
            if let pattern = try IgnorePattern(text) { compiled.append(pattern) }
        }
        self.patterns = compiled
    }

    /// Whether any pattern is an exception; when none is, a walker may skip whole excluded
    /// directories.
    public var hasExceptions: Bool { patterns.contains(where: \.isException) }

    /// Whether `path` (slash-separated, relative to the context root) is excluded, because a
    /// pattern matches it or one of its parent directories.
    /// - Throws: ``DockerIgnoreError/badPattern(_:)`` for a pattern that cannot match.
    public func matchesOrParentMatches(_ path: String) throws(DockerIgnoreError) -> Bool {
        let parent = directoryOfPath(path)
        let parentSegments = parent.split(separator: "/", omittingEmptySubsequences: false)
        var excluded = false
        for pattern in patterns where pattern.isException == excluded {
            var matched = try pattern.matches(exactly: path)
            if !matched, parent != "." {
                var ancestor = ""
                for (offset, segment) in parentSegments.enumerated() {
                    ancestor += (offset == 0 ? "" : "/") + segment
                    if (try? pattern.matches(exactly: ancestor)) == true {
                        matched = true
                        break
                    }
                }
            }
            if matched { excluded = !pattern.isException }
        }
        return excluded
    }

    /// Like ``matchesOrParentMatches(_:)`` after cleaning `path`; the context root (`.`) is
    /// never excluded.
    /// - Throws: ``DockerIgnoreError/badPattern(_:)`` for a pattern that cannot match.
    public func matches(_ path: String) throws(DockerIgnoreError) -> Bool {
        let cleaned = cleanPath(path)
        if cleaned == "." { return false }
        return try matchesOrParentMatches(cleaned)
    }
}
