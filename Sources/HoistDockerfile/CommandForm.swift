/// How a command is written: exec form (a JSON array, run directly) or shell form (a string
/// handed to the stage's `SHELL`).
public enum CommandForm: Sendable, Hashable {
    /// `["executable", "arg"]`.
    case exec([String])
    /// `executable arg`, run as `SHELL + [string]`.
    case shell(String)

    /// The words to run: the exec array, or the shell prefix followed by the string.
    public func commandLine(shell: [String]) -> [String] {
        switch self {
        case .exec(let words): words
        case .shell(let text): shell + [text]
        }
    }

    /// Whether the command is in shell form.
    public var isShellForm: Bool {
        if case .shell = self { return true }
        return false
    }
}

/// A `KEY=value` pair of `ENV` or `LABEL`, value as written (quotes not yet removed).
public struct KeyValuePair: Sendable, Hashable {
    /// The key as written.
    public var key: String
    /// The value as written; expansion removes the quotes.
    public var value: String
    /// False for the legacy `ENV key value` form (no `=`).
    public var usesEquals: Bool

    /// Creates a pair.
    public init(key: String, value: String, usesEquals: Bool = true) {
        self.key = key
        self.value = value
        self.usesEquals = usesEquals
    }
}

/// A `COPY`/`ADD` source given inline by a heredoc (`COPY <<EOF /file`).
public struct InlineSource: Sendable, Hashable {
    /// The heredoc's name, used as the file name.
    public var name: String
    /// The body, with leading tabs removed for `<<-`.
    public var content: String
    /// Whether variables in the body are expanded.
    public var expands: Bool

    /// Creates an inline source.
    public init(name: String, content: String, expands: Bool) {
        self.name = name
        self.content = content
        self.expands = expands
    }
}
