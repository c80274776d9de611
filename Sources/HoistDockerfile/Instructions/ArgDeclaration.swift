/// One `ARG` declaration: a name and maybe a default.
public struct ArgDeclaration: Sendable, Hashable {
    /// The variable name.
    public var name: String
    /// The default as written (quotes not yet removed), nil when none.
    public var defaultValue: String?
    /// A `# NAME description` comment above the ARG, if any.
    public var comment: String?

    /// Creates a declaration.
    public init(name: String, defaultValue: String? = nil, comment: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.comment = comment
    }
}
