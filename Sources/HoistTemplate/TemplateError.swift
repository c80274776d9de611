/// Why a template could not be parsed or executed, with the position Go's messages give
/// (`template: :LINE:COL: …`).
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Parsing or executing.
    public enum Stage: Sendable, Equatable { case parsing, executing }

    public let stage: Stage
    /// The line (from 1) and column (from 0, in bytes) of the action at fault; Go's parse
    /// errors name only the line.
    public let line: Int
    public let column: Int
    /// The action as written, when executing (`<.Nope>` in Go's message).
    public let action: String?
    public let reason: String

    public var description: String {
        switch stage {
        case .parsing: "template parsing error: template: :\(line): \(reason)"
        case .executing:
            "template: :\(line):\(column): executing \"\" at <\(action ?? "")>: \(reason)"
        }
    }
}
