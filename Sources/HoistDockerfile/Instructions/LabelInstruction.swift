/// `LABEL key=value …`.
public struct LabelInstruction: Sendable, Hashable {
    /// The labels, in order, keys and values unexpanded.
    public var pairs: [KeyValuePair]
    /// Where the instruction is.
    public var range: SourceRange
}
