public import HoistOCI

/// A non-fatal finding of the parser (BuildKit prints these as warnings).
public struct ParserWarning: Sendable, Hashable {
    /// A short identifier, e.g. `EmptyContinuationLine`.
    public var rule: String
    /// The human message.
    public var message: String
    /// Where it applies.
    public var range: SourceRange
}

/// A parsed Dockerfile: its directives and raw instructions, each with its source range.
public struct SyntaxTree: Sendable, Hashable {
    /// The name used in error messages (`Dockerfile` unless a file was named).
    public var fileName: String
    /// The parser directives from the file's header.
    public var directives: ParserDirectives
    /// The instructions, in file order.
    public var nodes: [SyntaxNode]
    /// Warnings such as empty continuation lines.
    public var warnings: [ParserWarning]
    /// The physical lines of the source (line breaks removed), for error messages.
    public var sourceLines: [String]

    /// The span from the first instruction to the last line consumed.
    public var range: SourceRange {
        SourceRange(
            start: nodes.first?.range.start ?? .init(line: 0, column: 0),
            end: nodes.last?.range.end ?? .init(line: 0, column: 0))
    }

    /// The escape character in effect for the file.
    public var escapeCharacter: Unicode.Scalar { directives.escapeCharacter }

    /// The source text of a 1-based line, or "" when out of range.
    public func lineText(_ line: Int) -> String {
        line >= 1 && line <= sourceLines.count ? sourceLines[line - 1] : ""
    }

    /// An error located at `range`'s start, showing that line.
    public func error(_ message: String, at range: SourceRange, code: ErrorCode = .invalidArgument)
        -> DockerfileError
    {
        DockerfileError(
            code: code, fileName: fileName, line: range.start.line, column: range.start.column,
            message: message, lineText: lineText(range.start.line))
    }
}
