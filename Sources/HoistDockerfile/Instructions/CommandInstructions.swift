/// `CMD`: the default command (or default arguments to `ENTRYPOINT`).
public struct CmdInstruction: Sendable, Hashable {
    /// The command.
    public var command: CommandForm
    /// Where the instruction is.
    public var range: SourceRange
}

/// `ENTRYPOINT`: the executable the container runs.
public struct EntrypointInstruction: Sendable, Hashable {
    /// The executable and its arguments.
    public var command: CommandForm
    /// Where the instruction is.
    public var range: SourceRange
}

/// `SHELL ["executable", "parameters"]`: the shell for later shell-form commands.
public struct ShellInstruction: Sendable, Hashable {
    /// The shell command line, exec form.
    public var shell: [String]
    /// Where the instruction is.
    public var range: SourceRange
}
