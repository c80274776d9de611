/// `SHELL ["executable", "parameters"]`: the shell for later shell-form commands.
public struct ShellInstruction: Sendable, Hashable {
    /// The shell command line, exec form.
    public var shell: [String]
    /// Where the instruction is.
    public var range: SourceRange
}
