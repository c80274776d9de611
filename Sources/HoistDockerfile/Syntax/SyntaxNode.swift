/// One argument of a raw instruction: a string or, for `ONBUILD`, the nested instruction.
public indirect enum SyntaxArgument: Sendable, Hashable {
    /// A plain argument string.
    case string(String)
    /// The instruction an `ONBUILD` wraps.
    case instruction(SyntaxNode)

    /// The argument's text, or nil for a nested instruction.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// One instruction of the raw syntax tree: keyword, flags and arguments as the text gave
/// them, before any typing or variable expansion.
public struct SyntaxNode: Sendable, Hashable {
    /// The keyword as written (`from`, `RUN`, …); compare with ``instructionName``.
    public var keyword: String
    /// The `--flag` words before the arguments, quotes removed (`--from=build`).
    public var flags: [String]
    /// The arguments, split according to the keyword's rules.
    public var arguments: [SyntaxArgument]
    /// Whether the arguments came from a JSON array (exec form).
    public var isJSON: Bool
    /// The here-documents the instruction opened, in order.
    public var heredocs: [Heredoc]
    /// The logical line after continuations were joined and comments dropped.
    public var original: String
    /// Comment lines directly above the instruction (without `#`).
    public var comments: [String]
    /// Where the instruction is in the file.
    public var range: SourceRange

    /// Creates a node.
    public init(
        keyword: String, flags: [String] = [], arguments: [SyntaxArgument] = [], isJSON: Bool = false,
        heredocs: [Heredoc] = [], original: String = "", comments: [String] = [],
        range: SourceRange = SourceRange(start: .init(line: 0, column: 0), end: .init(line: 0, column: 0))
    ) {
        self.keyword = keyword
        self.flags = flags
        self.arguments = arguments
        self.isJSON = isJSON
        self.heredocs = heredocs
        self.original = original
        self.comments = comments
        self.range = range
    }

    /// The keyword in lower case, as instructions are matched.
    public var instructionName: String { keyword.lowercased() }

    /// The string arguments (a nested `ONBUILD` instruction is left out).
    public var stringArguments: [String] { arguments.compactMap(\.stringValue) }
}
