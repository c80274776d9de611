public import HoistOCI

/// Remembers what each cache key produced, so an unchanged step is not run again.
public protocol CacheIndex: Sendable {
    /// The result recorded for `key`, or nil.
    func lookup(_ key: Digest) async throws -> BuildResult?
    /// The results recorded for those of `keys` that have one: what a solve asks first, for
    /// all the keys of its graph at once.
    func lookup(_ keys: [Digest]) async throws -> [Digest: BuildResult]
    /// Records that `key` produced `result`.
    func record(_ key: Digest, result: BuildResult) async throws
    /// Claims `key` for a step about to run, waiting while another build (in this process or
    /// another) holds it: identical concurrent builds then run the step once, the others
    /// taking its recorded result. Release the claim once the result is recorded or the step
    /// has failed. Nil where nothing is shared.
    func claim(_ key: Digest) async throws -> (any CacheClaim)?
    /// Makes the layers of `result`, which a lookup returned, present in the store: a step is
    /// about to run on it, or it is the image. An index whose results are all in the store
    /// has nothing to do; one serving another machine's cache fetches them now, not at lookup.
    func provideContent(of result: BuildResult) async throws
}

/// A step's cache key claimed by one build (see ``CacheIndex/claim(_:)``).
public protocol CacheClaim: Sendable {
    /// Lets the next build waiting for the key go on.
    func release()
}

extension CacheIndex {
    /// Nothing to wait for: an index no other build shares.
    public func claim(_ key: Digest) async throws -> (any CacheClaim)? { nil }

    /// Nothing to fetch: every result is in the store.
    public func provideContent(of result: BuildResult) async throws {}

    /// One single-key lookup per key.
    public func lookup(_ keys: [Digest]) async throws -> [Digest: BuildResult] {
        var results: [Digest: BuildResult] = [:]
        for key in keys {
            if let result = try await lookup(key) { results[key] = result }
        }
        return results
    }
}

/// A cache index that lives as long as the value: for tests and one-off solves.
public actor MemoryCacheIndex: CacheIndex {
    private var entries: [Digest: BuildResult] = [:]

    public init() {}

    public func lookup(_ key: Digest) -> BuildResult? { entries[key] }
    public func record(_ key: Digest, result: BuildResult) { entries[key] = result }
    /// How many keys are recorded.
    public var count: Int { entries.count }
}
