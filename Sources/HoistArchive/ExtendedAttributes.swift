/// Extended attributes of files, as the layer code reads and writes them, for other modules
/// that copy files (`COPY` keeps a file's attributes, as BuildKit's copier does).
public enum ExtendedAttributes {
    /// All extended attributes of `path`, not following a final symlink; empty where the file
    /// system has none.
    /// - Throws: ``ArchiveError`` when they cannot be read.
    public static func read(_ path: String) throws -> [String: [UInt8]] {
        try FileSystem.xattrs(path)
    }

    /// Sets one attribute of `path` (not following a final symlink); returns 0 or the `errno`,
    /// since whether a failure matters is the caller's decision.
    public static func set(_ path: String, _ name: String, _ value: [UInt8]) -> Int32 {
        FileSystem.setXattr(path, name, value)
    }
}
