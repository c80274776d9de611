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
}

extension CacheIndex {
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
