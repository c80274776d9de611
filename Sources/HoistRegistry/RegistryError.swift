public import HoistOCI

/// An error from a registry operation: the registry refused, was unreachable, or sent content
/// that does not match what it claimed.
///
/// Messages name the registry host and the URL path and carry the registry's own error text;
/// they never contain a credential or a token.
public struct RegistryError: CausedError {
    /// What kind of failure this is; denied access is `failedPrecondition`.
    public let code: ErrorCode
    /// What went wrong, for a human.
    public let message: String
    /// The HTTP status the registry answered with, if it answered.
    public let status: Int?
    /// The error that caused this one, if any.
    public let underlying: (any Error)?
    /// Whether trying again may succeed: a refused or reset connection, a timeout, 429 or 5xx.
    public let isTransient: Bool
    /// How long the registry asked to be left alone (`Retry-After`), if it said.
    public var retryAfter: Duration?

    public init(
        _ code: ErrorCode, _ message: String, status: Int? = nil, isTransient: Bool = false, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.isTransient = isTransient
        self.underlying = underlying
    }
}
