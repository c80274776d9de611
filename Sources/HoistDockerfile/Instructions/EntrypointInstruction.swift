/// `ENTRYPOINT`: the executable the container runs.
public struct EntrypointInstruction: Sendable, Hashable {
    /// The executable and its arguments.
    public var command: CommandForm
    /// Where the instruction is.
    public var range: SourceRange
}
