/// Serialises, across suites that run in parallel, the work on a name they must share: a tag
/// in the one Docker daemon that fixed test data refers to (a corpus case's `FROM` of a base
/// image another suite rebuilds and removes).
public actor SharedNameLock {
    public static let shared = SharedNameLock()

    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while no other holder of `name` runs.
    public static func holding<T: Sendable>(_ name: String, _ body: () async throws -> T) async throws -> T {
        await shared.acquire(name)
        do {
            let result = try await body()
            await shared.release(name)
            return result
        } catch {
            await shared.release(name)
            throw error
        }
    }

    private func acquire(_ name: String) async {
        guard held.contains(name) else {
            held.insert(name)
            return
        }
        await withCheckedContinuation { waiting[name, default: []].append($0) }
    }

    private func release(_ name: String) {
        guard var queue = waiting[name], !queue.isEmpty else {
            held.remove(name)
            return
        }
        // The name passes straight to the next waiter: it stays held.
        queue.removeFirst().resume()
        waiting[name] = queue
    }
}
