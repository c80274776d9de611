/// `ENV key=value …` or the legacy `ENV key value`.
public struct EnvInstruction: Sendable, Hashable {
    /// The variables, in order, values unexpanded.
    public var pairs: [KeyValuePair]
    /// Where the instruction is.
    public var range: SourceRange
}
