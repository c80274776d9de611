/// `COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--parents] [--exclude=…]… src… dest`.
public struct CopyInstruction: Sendable, Hashable {
    /// The source paths or patterns, unexpanded.
    public var sources: [String]
    /// Sources given by heredocs (`COPY <<EOF /file`).
    public var inlineSources: [InlineSource]
    /// The destination, unexpanded.
    public var destination: String
    /// `--from`: a stage name, index or image; nil for the build context.
    public var from: String?
    /// `--chown=user[:group]`.
    public var chown: String?
    /// `--chmod=mode` (octal or symbolic).
    public var chmod: String?
    /// `--link`: copy into an independent layer.
    public var link: Bool
    /// `--parents`: keep the source's parent directories.
    public var parents: Bool
    /// `--exclude` patterns, in order.
    public var excludes: [String]
    /// Whether the arguments were a JSON array.
    public var isJSON: Bool
    /// Where the instruction is.
    public var range: SourceRange
}
