public import HoistOCI

/// An error from the Docker Engine backend: the daemon's own message when it sent one
/// (verbatim), or why it could not be reached.
public struct EngineError: CausedError {
    public let code: ErrorCode
    public let message: String
    public let underlying: (any Error)?
    /// The HTTP status the daemon answered with, when it answered.
    public let status: Int?

    public init(_ code: ErrorCode, _ message: String, status: Int? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.underlying = underlying
    }

    /// Whether trying again may succeed: the daemon unreachable, its answer cut off (a
    /// transfer it streamed broke), or a 429, 502, 503 or 504. A 500 is not: the daemon answers
    /// 500 for failures of its own, permanent ones too (a registry's "no basic auth
    /// credentials" as much as its refused connection), which only their text tells apart.
    public var isTransient: Bool {
        guard let status else { return code == .unavailable }
        return [429, 502, 503, 504].contains(status)
    }

    /// The code for an HTTP status, as the Engine API uses them.
    static func code(forStatus status: Int) -> ErrorCode {
        switch status {
        case 400: .invalidArgument
        case 401, 403: .failedPrecondition
        case 404: .notFound
        case 409: .alreadyExists
        case 501: .unsupported
        default: status >= 500 ? .unavailable : .failedPrecondition
        }
    }
}
