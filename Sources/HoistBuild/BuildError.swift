public import HoistOCI

/// An error from building: which step failed, why, and what it printed last.
public struct BuildError: HoistError {
    public let code: ErrorCode
    /// What went wrong, for a human.
    public let message: String
    /// The step that failed, as progress names it (e.g. `[2/5] RUN make`), if one did.
    public var step: String?
    /// The vertex of the step that failed, if one did: what a debugger reopens.
    public var vertex: Digest?
    /// The failing process's exit code, for a step that ran a command.
    public var exitCode: Int32?
    /// The last lines the failing step printed.
    public var lastOutput: [String]
    /// The error that caused this one, if any.
    public let underlying: (any Error)?

    public init(_ code: ErrorCode, _ message: String, step: String? = nil, exitCode: Int32? = nil,
                lastOutput: [String] = [], underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.step = step
        self.exitCode = exitCode
        self.lastOutput = lastOutput
        self.underlying = underlying
    }

    public var description: String {
        var text = step.map { "\($0): \(message)" } ?? message
        // A wrapped error's own text is often the message already.
        if let underlying, !message.contains("\(underlying)") { text += ": \(underlying)" }
        return text
    }

    /// A step's command that exited with `exitCode`, worded as BuildKit words it.
    public static func processFailed(_ arguments: [String], exitCode: Int32, lastOutput: [String]) -> BuildError {
        BuildError(
            .failedPrecondition,
            "process \"\(arguments.joined(separator: " "))\" did not complete successfully: exit code: \(exitCode)",
            exitCode: exitCode, lastOutput: lastOutput)
    }
}
