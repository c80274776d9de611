/// How often and how patiently a registry operation is tried again after a transient failure
/// (refused or reset connection, timeout, HTTP 429 or 5xx): exponential backoff, bounded count.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included; 1 means no retry.
    public var maximumAttempts: Int
    /// The pause before the second try; each later pause doubles, up to ``maximumDelay``.
    public var initialDelay: Duration
    /// The longest pause between two tries.
    public var maximumDelay: Duration

    public init(maximumAttempts: Int = 6, initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(8)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The default: six tries over about fifteen seconds.
    public static let standard = RetryPolicy()
    /// One try only.
    public static let never = RetryPolicy(maximumAttempts: 1)

    /// The pause after failed try number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// The pause after failed try `attempt` that ended in `failure`: the backoff, or the
    /// registry's own Retry-After when longer, up to the longest pause allowed.
    func pause(afterAttempt attempt: Int, failure: RegistryError) -> Duration {
        max(delay(afterAttempt: attempt), min(failure.retryAfter ?? .zero, maximumDelay))
    }

    /// Runs `body` until it succeeds, fails with an error that is not transient, or has used
    /// every attempt; `body` gets the 1-based attempt number. The last error is rethrown, with
    /// the number of tries in its message when there were several.
    func run<T>(_ body: (Int) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body(attempt)
            } catch let error as RegistryError where error.isTransient {
                guard attempt < maximumAttempts else {
                    guard attempt > 1 else { throw error }
                    var final = RegistryError(
                        error.code, "\(error.message) (gave up after \(attempt) tries)", status: error.status,
                        isTransient: true, underlying: error.underlying)
                    final.retryAfter = error.retryAfter
                    throw final
                }
                try await Task.sleep(for: pause(afterAttempt: attempt, failure: error))
                attempt += 1
            }
        }
    }
}
