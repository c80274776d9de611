public import HoistOCI

/// An error from the ``Client``: what the user asked for cannot be done, and why.
public struct ClientError: CausedError {
    public let code: ErrorCode
    /// What went wrong, for a human.
    public let message: String
    /// The error that caused this one, if any.
    public let underlying: (any Error)?

    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
