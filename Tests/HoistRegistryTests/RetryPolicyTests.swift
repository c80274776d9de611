import HoistOCI
import Testing

@testable import HoistRegistry

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleUpToTheMaximum() {
        let policy = RetryPolicy(maximumAttempts: 6, initialDelay: .milliseconds(100), maximumDelay: .milliseconds(500))
        let delays = (1...5).map { policy.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)], "\(delays)")
    }

    @Test func retriesTransientFailuresAndStopsAtTheBound() async throws {
        let policy = RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(2))
        var attempts: [Int] = []
        do {
            try await policy.run { attempt in
                attempts.append(attempt)
                throw RegistryError(.unavailable, "connection refused", isTransient: true)
            }
            Issue.record("a failure that never ends must be thrown")
        } catch let error as RegistryError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("3 tries"), "\(error.message)")
        }
        #expect(attempts == [1, 2, 3])
    }

    @Test func succeedsAfterATransientFailure() async throws {
        let policy = RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(1))
        var attempts = 0
        let value = try await policy.run { attempt in
            attempts = attempt
            if attempt == 1 { throw RegistryError(.unavailable, "reset", isTransient: true) }
            return "done"
        }
        #expect(value == "done")
        #expect(attempts == 2)
    }

    @Test func doesNotRetryPermanentFailures() async throws {
        var attempts = 0
        await #expect(throws: RegistryError.self) {
            try await RetryPolicy(maximumAttempts: 5, initialDelay: .milliseconds(1)).run { _ in
                attempts += 1
                throw RegistryError(.notFound, "manifest unknown", status: 404)
            }
        }
        #expect(attempts == 1)
    }
}

@Suite struct RetryAfterTests {
    @Test func aRegistrysRetryAfterLengthensThePauseUpToTheMaximum() async throws {
        let policy = RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(300))
        var busy = RegistryError(.unavailable, "429 Too Many Requests", status: 429, isTransient: true)
        busy.retryAfter = .seconds(60)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await policy.run { attempt in
            if attempt == 1 { throw busy }
            return attempt
        }
        // The pause the policy chose; the clock only shows it was not skipped (a busy machine
        // may sleep longer, never shorter).
        #expect(policy.pause(afterAttempt: 1, failure: busy) == .milliseconds(300))
        #expect(clock.now - start >= .milliseconds(300))
    }
}
