/// What the stat cache remembers of a file: the stat its content digest was computed under,
/// and the digest as stored (`sha256:…`), which a context checksum hashes as text.
public struct StatCacheEntry: Sendable, Hashable {
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modified: Int64
    public var inode: Int64
    public var digest: String

    public init(size: Int64, modified: Int64, inode: Int64, digest: String) {
        self.size = size
        self.modified = modified
        self.inode = inode
        self.digest = digest
    }
}
