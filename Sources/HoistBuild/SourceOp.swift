public import HoistOCI

/// Where a build's files come from.
public enum SourceOp: Sendable, Hashable, Codable {
    /// An image's root filesystem and config (pulled or taken from the store).
    case image(reference: String, platform: Platform?)
    /// A local directory the client provides (the build context, a named build context), filtered
    /// by include and exclude patterns (`.dockerignore` syntax).
    case local(name: String, include: [String], exclude: [String])
    /// A file fetched over HTTP(S), optionally pinned by checksum.
    case http(url: String, checksum: Digest?, filename: String?, permissions: UInt32?)
    /// A git repository at a ref.
    case git(url: String, ref: String?, keepGitDirectory: Bool)
}
