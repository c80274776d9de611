/// A `COPY`/`ADD` source given inline by a heredoc (`COPY <<EOF /file`).
public struct InlineSource: Sendable, Hashable {
    /// The heredoc's name, used as the file name.
    public var name: String
    /// The body, with leading tabs removed for `<<-`.
    public var content: String
    /// Whether variables in the body are expanded.
    public var expands: Bool

    /// Creates an inline source.
    public init(name: String, content: String, expands: Bool) {
        self.name = name
        self.content = content
        self.expands = expands
    }
}
