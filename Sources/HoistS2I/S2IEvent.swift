public import Foundation
public import HoistBuild

/// What an S2I build reports while it runs.
public enum S2IEvent: Sendable {
    /// An image is pulled (try `attempt`, 1-based).
    case pulling(image: String, attempt: Int)
    /// A pull failed; it is tried again after `retryIn` when that is set.
    case pullFailed(image: String, attempt: Int, error: String, retryIn: Duration?)
    /// A step of the build engine started, came from the cache, printed or ended.
    case build(ProgressEvent)
    /// Output of the built image run by `--run`, or of the `usage` script.
    case output(ProgressEvent.Stream, Data)
    /// What S2I would log for its user: the choice of a clean or incremental build, the
    /// removal of the previous image, a callback's answer …
    case note(String)
}

/// Where ``S2IEvent``s go: a closure called from any task.
public struct S2IProgress: Sendable {
    private let sink: @Sendable (S2IEvent) -> Void

    public init(_ sink: @escaping @Sendable (S2IEvent) -> Void) {
        self.sink = sink
    }

    /// Drops every event.
    public static let discard = S2IProgress { _ in }

    public func report(_ event: S2IEvent) {
        sink(event)
    }
}
