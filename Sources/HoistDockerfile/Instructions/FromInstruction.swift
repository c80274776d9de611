/// `FROM [--platform=…] image [AS name]`: starts a build stage.
public struct FromInstruction: Sendable, Hashable {
    /// The base: an image reference, a stage name, or `scratch`; may contain `$ARG`s.
    public var image: String
    /// The stage name in lower case (stage names are case-insensitive), nil when unnamed.
    public var stageName: String?
    /// The stage name as written, for the casing check.
    public var stageNameAsWritten: String?
    /// The `AS` keyword as written, for the casing check.
    public var asKeyword: String?
    /// The `--platform` value, unexpanded.
    public var platform: String?
    /// Where the instruction is.
    public var range: SourceRange
}
