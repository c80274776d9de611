public import HoistOCI

/// An error from a source-to-image build: what is wrong with its inputs, or which step failed.
public struct S2IError: CausedError {
    public let code: ErrorCode
    public let message: String
    public let underlying: (any Error)?

    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
