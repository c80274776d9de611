public import HoistOCI

/// An error from the store: a missing or corrupt blob, an unknown image, a bad archive to import.
public struct StoreError: CausedError {
    public let code: ErrorCode
    /// What went wrong, for a human (names the digest, path or image concerned).
    public let message: String
    /// The error that caused this one, if any.
    public let underlying: (any Error)?

    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
