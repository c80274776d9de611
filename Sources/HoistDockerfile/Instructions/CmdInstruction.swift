/// `CMD`: the default command (or default arguments to `ENTRYPOINT`).
public struct CmdInstruction: Sendable, Hashable {
    /// The command.
    public var command: CommandForm
    /// Where the instruction is.
    public var range: SourceRange
}
