/// `RUN [--mount=…]… [--network=…] [--security=…] command`.
public struct RunInstruction: Sendable, Hashable {
    /// The command; shell form for here-documents too (`RUN <<EOF`).
    public var command: CommandForm
    /// The here-documents the command reads, in order.
    public var heredocs: [Heredoc]
    /// The raw `--mount` values, in order; see ``mounts(expand:)``.
    public var mountSpecifications: [String]
    /// `--device` requests, in order.
    public var devices: [RunDevice]
    /// `--network`, nil when not given.
    public var network: RunNetwork?
    /// `--security`, nil when not given.
    public var security: RunSecurity?
    /// The flag names used, for checks and cache keys.
    public var flagsUsed: [String]
    /// Where the instruction is.
    public var range: SourceRange

    /// The mounts, each value passed through `expand` (variable expansion) first.
    /// - Throws: ``RunMountError`` or what `expand` throws.
    public func mounts(expand: (String) throws -> String = { $0 }) throws -> [RunMount] {
        try mountSpecifications.map { try RunMount.parse($0, expand: expand) }
    }
}
