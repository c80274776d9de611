/// `ENV key=value …` or the legacy `ENV key value`.
public struct EnvInstruction: Sendable, Hashable {
    /// The variables, in order, values unexpanded.
    public var pairs: [KeyValuePair]
    /// Where the instruction is.
    public var range: SourceRange
}

/// `LABEL key=value …`.
public struct LabelInstruction: Sendable, Hashable {
    /// The labels, in order, keys and values unexpanded.
    public var pairs: [KeyValuePair]
    /// Where the instruction is.
    public var range: SourceRange
}

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

/// `ARG name[=default] …`.
public struct ArgInstruction: Sendable, Hashable {
    /// The declarations, in order.
    public var declarations: [ArgDeclaration]
    /// Where the instruction is.
    public var range: SourceRange
}
