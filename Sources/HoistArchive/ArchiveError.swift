public import HoistOCI

#if canImport(Glibc)
    import Glibc
#endif

/// An error reading, writing, compressing, applying or diffing an archive.
///
/// Carries a ``code`` to branch on, a message for humans, the archive entry or file path when one
/// is involved, and the underlying cause (usually the text of an `errno`).
public struct ArchiveError: HoistError, Equatable {
    public let code: ErrorCode
    /// What went wrong, for a human.
    public let message: String
    /// The archive entry name or file path the error is about, when there is one.
    public let path: String?
    /// The underlying cause, such as `"Permission denied"` for `EACCES`.
    public let cause: String?
    /// The `errno` behind the error, when it came from a system call.
    public let errno: Int32?

    public init(_ code: ErrorCode, _ message: String, path: String? = nil, cause: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
        self.errno = errno
    }

    public var description: String {
        var text = message
        if let path { text += ": \(path)" }
        if let cause { text += ": \(cause)" }
        return text
    }

    /// An error for a failed system call, its code derived from `errno`.
    static func system(_ operation: String, path: String?, errno code: Int32 = Glibc.errno) -> ArchiveError {
        let kind: ErrorCode
        switch code {
        case ENOENT: kind = .notFound
        case EEXIST, ENOTEMPTY: kind = .alreadyExists
        case EPERM, EACCES, EROFS: kind = .failedPrecondition
        case ENOTSUP, ENOSYS: kind = .unsupported
        case ENOTDIR, EISDIR, ELOOP, ENAMETOOLONG, EINVAL: kind = .invalidArgument
        default: kind = .internal
        }
        return ArchiveError(kind, "\(operation) failed", path: path, cause: String(cString: strerror(code)), errno: code)
    }
}
