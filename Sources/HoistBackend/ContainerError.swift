public import HoistOCI
import HoistRuntime

/// An error from an ``Image`` or a ``Container``: which operation failed, what kind of failure
/// it is, and the error behind it (a ``ClientError``, the registry's, the build's, the runtime's).
///
/// ```swift
/// do { try await container.start() }
/// catch let error as ContainerError where error.operation == .start { … }
/// ```
public struct ContainerError: CausedError {
    /// The operations of the image and container API.
    public enum Operation: String, Sendable, Hashable {
        case imageOptions, build, pull, create, start, wait, inspect, exitCode, logs, exec, kill, remove, copy, commit, run
    }

    public let operation: Operation
    public let code: ErrorCode
    public let message: String
    public let underlying: (any Error)?

    public init(_ operation: Operation, _ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.operation = operation
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `underlying` as the failure of `operation`, keeping its code; a ``ContainerError``
    /// passes through as it is.
    package static func wrapping(_ error: any Error, in operation: Operation) -> ContainerError {
        if let error = error as? ContainerError { return error }
        let code = (error as? any HoistError)?.code ?? (error is CancellationError ? .cancelled : .internal)
        return ContainerError(operation, code, "\(operation.rawValue) failed", underlying: error)
    }

    /// Runs `body`, turning what it throws into the failure of `operation`.
    package static func during<T>(_ operation: Operation, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw wrapping(error, in: operation)
        }
    }
}

extension ContainerError {
    /// When `error` (or an error it wraps) is a container's process that could not be started,
    /// the exit code `docker run` gives for it: 127 for a command that is not there, 126 for one
    /// that cannot be executed. Nil for every other failure.
    public static func startFailureExitCode(of error: any Error) -> Int32? {
        ProcessStartFailure.of(error)?.exitCode
    }
}
