/// `WORKDIR path`.
public struct WorkdirInstruction: Sendable, Hashable {
    /// The directory, unexpanded; relative paths resolve against the previous WORKDIR.
    public var path: String
    /// Where the instruction is.
    public var range: SourceRange
}
