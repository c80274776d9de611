public import Foundation
public import HoistOCI

/// What a build reports while it runs, for the TTY, plain and rawjson displays.
public enum ProgressEvent: Sendable, Hashable {
    /// Which stream a log chunk came from.
    public enum Stream: String, Sendable, Hashable, Codable {
        case stdout, stderr
    }

    /// A vertex started running.
    case started(vertex: Digest, name: String, at: Date)
    /// A vertex's result came from the cache.
    case cached(vertex: Digest, name: String)
    /// A vertex finished.
    case completed(vertex: Digest, name: String, duration: Duration)
    /// A vertex failed.
    case failed(vertex: Digest, name: String, message: String)
    /// Output of a running vertex.
    case log(vertex: Digest, stream: Stream, text: String)
    /// Something the frontend found doubtful (a build check), reported before the steps run.
    case warning(BuildWarning)
}

/// Where progress events go: a closure called from any task, in the order each vertex emits;
/// and, for a recorder that keeps what steps print byte for byte (``StepLogs``), their output
/// as the bytes written.
public struct ProgressReporter: Sendable {
    private let sink: @Sendable (ProgressEvent) -> Void
    private let bytes: (@Sendable (Digest, ProgressEvent.Stream, [UInt8]) -> Void)?

    public init(_ sink: @escaping @Sendable (ProgressEvent) -> Void) {
        self.sink = sink
        bytes = nil
    }

    /// A reporter that also gets each chunk of a step's output as written (`output`), before
    /// it is reported as a ``ProgressEvent/log(vertex:stream:text:)`` event to `sink`.
    public init(_ sink: @escaping @Sendable (ProgressEvent) -> Void,
                output: @escaping @Sendable (Digest, ProgressEvent.Stream, [UInt8]) -> Void) {
        self.sink = sink
        bytes = output
    }

    /// Drops every event.
    public static let discard = ProgressReporter { _ in }

    public func report(_ event: ProgressEvent) {
        sink(event)
    }

    /// Reports a chunk `vertex` wrote: as bytes to the output recorder, if any, and as text.
    public func output(of vertex: Digest, stream: ProgressEvent.Stream, _ chunk: [UInt8]) {
        bytes?(vertex, stream, chunk)
        sink(.log(vertex: vertex, stream: stream, text: String(decoding: chunk, as: UTF8.self)))
    }
}
