/// A here-document attached to a `RUN`, `COPY` or `ADD` instruction (`<<EOF` … `EOF`).
public struct Heredoc: Sendable, Hashable, Codable {
    /// The delimiter word, with quotes removed (`EOF` for `<<"EOF"`).
    public var name: String
    /// The body exactly as written, each line ending in `\n`; leading tabs are kept even
    /// for `<<-` (``chomp``), so a printer can reproduce the text.
    public var content: String
    /// Whether the body undergoes variable expansion: true unless the delimiter was quoted.
    public var expands: Bool
    /// Whether leading tabs are stripped from the body (`<<-EOF`).
    public var chomp: Bool
    /// The file descriptor written before `<<` (`3<<EOF`), 0 when absent.
    public var fileDescriptor: Int
    /// From the first body line to the end of the terminator line.
    public var range: SourceRange?

    /// Creates a heredoc.
    public init(
        name: String, content: String, expands: Bool, chomp: Bool, fileDescriptor: Int = 0, range: SourceRange? = nil
    ) {
        self.name = name
        self.content = content
        self.expands = expands
        self.chomp = chomp
        self.fileDescriptor = fileDescriptor
        self.range = range
    }

    /// The body with leading tabs removed from every line when `chomp` is set.
    public var effectiveContent: String {
        guard chomp else { return content }
        return content.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.drop(while: { $0 == "\t" })) }
            .joined(separator: "\n")
    }
}
