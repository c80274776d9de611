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
