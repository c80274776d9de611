/// `MAINTAINER name` (deprecated in favour of a label).
public struct MaintainerInstruction: Sendable, Hashable {
    /// The maintainer text.
    public var maintainer: String
    /// Where the instruction is.
    public var range: SourceRange
}
