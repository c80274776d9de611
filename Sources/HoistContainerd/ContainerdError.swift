public import HoistOCI

/// An error from containerd: the daemon's own message (verbatim) with a code to branch on, or
/// why it could not be reached.
public struct ContainerdError: CausedError {
    public let code: ErrorCode
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
