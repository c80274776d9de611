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
    /// A git repository at a ref (and, with `checksum`, at a commit starting with it), with its
    /// submodules unless `submodules` is false (nil: BuildKit's default, with them).
    case git(url: String, ref: String?, keepGitDirectory: Bool, checksum: String? = nil, submodules: Bool? = nil)
}

extension SourceOp {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        switch self {
        case .image(let reference, let platform):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "image")
            try fields.encode(reference, forKey: "reference")
            try fields.encodeIfPresent(platform, forKey: "platform")
        case .local(let name, let include, let exclude):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "local")
            try fields.encode(name, forKey: "name")
            try fields.encode(include, forKey: "include")
            try fields.encode(exclude, forKey: "exclude")
        case .http(let url, let checksum, let filename, let permissions):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "http")
            try fields.encode(url, forKey: "url")
            try fields.encodeIfPresent(checksum, forKey: "checksum")
            try fields.encodeIfPresent(filename, forKey: "filename")
            try fields.encodeIfPresent(permissions, forKey: "permissions")
        case .git(let url, let ref, let keepGitDirectory, let checksum, let submodules):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "git")
            try fields.encode(url, forKey: "url")
            try fields.encodeIfPresent(ref, forKey: "ref")
            try fields.encode(keepGitDirectory, forKey: "keepGitDirectory")
            try fields.encodeIfPresent(checksum, forKey: "checksum")
            if submodules == false { try fields.encode(false, forKey: "submodules") }
        }
    }
}
