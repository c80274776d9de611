/// `ADD [--chown=…] [--chmod=…] [--link] [--checksum=…] [--keep-git-dir] [--unpack] [--exclude=…]… src… dest`.
public struct AddInstruction: Sendable, Hashable {
    /// The sources (paths, URLs, git repositories), unexpanded.
    public var sources: [String]
    /// Sources given by heredocs.
    public var inlineSources: [InlineSource]
    /// The destination, unexpanded.
    public var destination: String
    /// `--chown=user[:group]`.
    public var chown: String?
    /// `--chmod=mode`.
    public var chmod: String?
    /// `--link`.
    public var link: Bool
    /// `--checksum=sha256:…` for an HTTP source.
    public var checksum: String?
    /// `--keep-git-dir` for a git source.
    public var keepGitDirectory: Bool
    /// `--unpack`: whether archives are extracted (nil: the default, which unpacks local archives).
    public var unpack: Bool?
    /// `--exclude` patterns, in order.
    public var excludes: [String]
    /// Whether the arguments were a JSON array.
    public var isJSON: Bool
    /// Where the instruction is.
    public var range: SourceRange
}
