public import Foundation

/// What a finished container left: its exit code and its output, kept per stream and in the
/// order it arrived across both.
public struct ContainerRun: Sendable {
    /// The exit code; 128 + n when signal n ended the container (137 after a kill).
    public let exitCode: Int32
    /// Everything written to stdout.
    public let standardOutputData: Data
    /// Everything written to stderr.
    public let standardErrorData: Data
    /// Both streams interleaved as the chunks arrived.
    public let combinedData: Data

    public var standardOutput: String { String(decoding: standardOutputData, as: UTF8.self) }
    public var standardError: String { String(decoding: standardErrorData, as: UTF8.self) }
    public var combined: String { String(decoding: combinedData, as: UTF8.self) }
    /// Whether the container exited 0.
    public var succeeded: Bool { exitCode == 0 }

    package init(exitCode: Int32, standardOutputData: Data, standardErrorData: Data, combinedData: Data) {
        self.exitCode = exitCode
        self.standardOutputData = standardOutputData
        self.standardErrorData = standardErrorData
        self.combinedData = combinedData
    }
}

extension ContainerRun {
    /// This run when it exited 0; otherwise a ``ContainerError`` (`exitCode`) whose message has
    /// the exit code and the last lines of the output, for callers that treat failure as an error.
    @discardableResult
    public func checked() throws -> ContainerRun {
        guard exitCode != 0 else { return self }
        let tail = combined.split(separator: "\n", omittingEmptySubsequences: false).suffix(10).joined(separator: "\n")
        throw ContainerError(.exitCode, .failedPrecondition, "the container exited with code \(exitCode)" + (tail.isEmpty ? "" : ":\n" + tail))
    }
}
