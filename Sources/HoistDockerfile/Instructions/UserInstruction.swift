/// `USER user[:group]`.
public struct UserInstruction: Sendable, Hashable {
    /// The user (and group), unexpanded.
    public var user: String
    /// Where the instruction is.
    public var range: SourceRange
}
