public import HoistOCI

/// An error from running a container or an external program: a runtime that is missing or
/// fails, a user that does not exist in the image, a command that cannot be started.
public struct RuntimeError: CausedError {
    public let code: ErrorCode
    /// What went wrong, for a human; for a failed program it ends with what the program wrote
    /// to stderr.
    public let message: String
    /// The error that caused this one, if any.
    public let underlying: (any Error)?
    /// When the container's process could not be started: why, for the exit code.
    public let startFailure: ProcessStartFailure?

    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil, startFailure: ProcessStartFailure? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.startFailure = startFailure
    }
}
