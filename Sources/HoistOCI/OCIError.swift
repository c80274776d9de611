/// An error in parsing or validating OCI data: digests, references, platforms, manifests.
public struct OCIError: HoistError, Equatable {
    public let code: ErrorCode
    /// What was wrong, for a human.
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
