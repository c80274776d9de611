/// `STOPSIGNAL signal`.
public struct StopSignalInstruction: Sendable, Hashable {
    /// The signal name or number, unexpanded.
    public var signal: String
    /// Where the instruction is.
    public var range: SourceRange
}
