public import HoistOCI

/// An error in a Dockerfile, located by file, line and column, with the offending line.
///
/// `description` renders the compiler-style form the CLI prints, the line and a caret under
/// the column:
/// ```
/// Dockerfile:3:1: unknown instruction: FOO
///     FOO bar
///     ^
/// ```
public struct DockerfileError: HoistError, Equatable {
    /// What kind of failure this is (`invalidArgument` for bad syntax, `notFound` for a
    /// missing stage or build argument).
    public var code: ErrorCode
    /// The Dockerfile's name as the user gave it (`Dockerfile` by default).
    public var fileName: String
    /// The 1-based line of the problem; 0 when the error is not tied to a line.
    public var line: Int
    /// The 1-based column of the problem.
    public var column: Int
    /// The human message, without location.
    public var message: String
    /// The text of the offending line, without its line break; empty when unknown.
    public var lineText: String

    /// Creates an error; `lineText` is the source line shown under the message.
    public init(
        code: ErrorCode = .invalidArgument, fileName: String = "Dockerfile", line: Int, column: Int = 1,
        message: String, lineText: String = ""
    ) {
        self.code = code
        self.fileName = fileName
        self.line = line
        self.column = column
        self.message = message
        self.lineText = lineText
    }

    public var description: String {
        var text = line > 0 ? "\(fileName):\(line):\(column): \(message)" : "\(fileName): \(message)"
        if !lineText.isEmpty {
            text += "\n    " + lineText
            // Keep tabs in the padding so the caret lines up under tabbed text.
            let padding = lineText.unicodeScalars.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }
            text += "\n    " + padding.joined() + "^"
        }
        return text
    }
}
