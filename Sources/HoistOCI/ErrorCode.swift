/// The kind of failure behind an error, shared by every Hoist module so callers and tests can
/// branch on what went wrong without reading message text (after containerd's errdefs).
public enum ErrorCode: String, Sendable, Hashable, Codable {
    /// The named thing (blob, image, file, stage) does not exist.
    case notFound
    /// The thing to create exists already.
    case alreadyExists
    /// The input is malformed: a bad digest, reference, archive entry or flag.
    case invalidArgument
    /// The system is not in a state that allows the operation.
    case failedPrecondition
    /// The operation or format is not supported (by this backend, this host, this version).
    case unsupported
    /// A service or tool needed for the operation is not reachable right now.
    case unavailable
    /// The operation was cancelled.
    case cancelled
    /// Stored or received data does not match what it claims to be (digest, size, truncation).
    case dataLoss
    /// A bug or an unexpected condition inside Hoist.
    case `internal`
}

/// An error from a Hoist module: a code to branch on and a message written for humans.
public protocol HoistError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    var code: ErrorCode { get }
}

/// A ``HoistError`` that carries a message and the error that caused it, and shows both:
/// `message: cause`. Each module's error type adopts it instead of writing the same text out.
public protocol CausedError: HoistError {
    /// What went wrong, for a human.
    var message: String { get }
    /// The error behind this one, if any.
    var underlying: (any Error)? { get }
}

extension CausedError {
    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}
