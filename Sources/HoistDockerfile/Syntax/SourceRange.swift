/// A position in a Dockerfile: 1-based line and column (columns count Unicode scalars).
public struct SourcePosition: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The 1-based column number.
    public var column: Int

    /// Creates a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// The span of Dockerfile text a node came from: from the first character of its keyword to
/// the end of the last line it consumed (continuation lines and heredoc bodies included).
public struct SourceRange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first position of the span.
    public var start: SourcePosition
    /// The position just after the span's last character.
    public var end: SourcePosition

    /// Creates a range from its two ends.
    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = end
    }

    public var description: String { "\(start)-\(end)" }
}
