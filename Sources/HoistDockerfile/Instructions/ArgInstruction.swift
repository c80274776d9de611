/// `ARG name[=default] …`.
public struct ArgInstruction: Sendable, Hashable {
    /// The declarations, in order.
    public var declarations: [ArgDeclaration]
    /// Where the instruction is.
    public var range: SourceRange
}
