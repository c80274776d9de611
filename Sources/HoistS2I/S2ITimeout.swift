import Synchronization

/// S2I's Docker API timeout (2 minutes): a call that shows no progress for that long is given
/// up. `body` gets a function to call whenever it makes progress (a pull's bytes); a call
/// without progress reports is bounded as a whole.
///
/// - Throws: ``S2IError`` `unavailable` naming `what` and the timeout, after cancelling `body`;
///   else what `body` throws.
func withInactivityTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable (_ progressed: @escaping @Sendable () -> Void) async throws -> T
) async throws -> T {
    let last = LastProgress()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await body { last.touch() }
        }
        group.addTask {
            while true {
                let quiet = last.quiet
                if quiet >= timeout {
                    throw S2IError(.unavailable, "\(what) timed out after \(timeout) without progress")
                }
                try await Task.sleep(for: timeout - quiet)
            }
        }
        defer { group.cancelAll() }
        // The first child to end decides: the call's result or error, or the watchdog's.
        guard let first = try await group.next(), let value = first else {
            throw S2IError(.internal, "\(what) ended without a result")
        }
        return value
    }
}

/// When a call last made progress.
private final class LastProgress: Sendable {
    private let clock = ContinuousClock()
    private let instant: Mutex<ContinuousClock.Instant>

    init() {
        instant = Mutex(clock.now)
    }

    func touch() { instant.withLock { $0 = clock.now } }

    /// How long since.
    var quiet: Duration { instant.withLock { clock.now - $0 } }
}
