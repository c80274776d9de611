#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif
import HoistOCI

/// Runs a system call that returns -1 on failure, retrying on EINTR, and turns a failure into a
/// ``StoreError`` that names `what` was being done and the system's reason.
@discardableResult
func systemCall<T: BinaryInteger>(_ what: @autoclosure () -> String, _ call: () -> T) throws -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw StoreError(errnoCode(code), "\(what()): \(String(cString: strerror(code)))")
    }
}

/// The error code that best describes `errno`.
func errnoCode(_ code: Int32) -> ErrorCode {
    switch code {
    case ENOENT, ENOTDIR: .notFound
    case EEXIST, ENOTEMPTY: .alreadyExists
    case EACCES, EPERM, EROFS: .failedPrecondition
    case EINVAL, ENAMETOOLONG, ELOOP: .invalidArgument
    case ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM: .unavailable
    default: .internal
    }
}
