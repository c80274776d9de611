import Foundation
public import HoistOCI
public import HoistStore
import Synchronization

/// The build cache index in the store's database: survives processes, is shared by concurrent
/// builds, and keeps the layers of every recorded result from garbage collection.
public final class StoreCacheIndex: CacheIndex {
    public let store: Store
    /// Keys served since the last ``flushUsage()``.
    private let hits = Mutex<[Digest]>([])
    /// Layer blobs (by digest as written) found in the store during this build.
    private let presentBlobs = Mutex<Set<String>>([])

    public init(store: Store) {
        self.store = store
    }

    /// Marks every record served so far as used now, in one write.
    public func flushUsage() throws {
        let keys = hits.withLock { keys in
            defer { keys.removeAll() }
            return keys
        }
        try store.markBuildCacheUsed(keys)
    }

    public func lookup(_ key: Digest) async throws -> BuildResult? {
        var decoder = CachedResultCoding.Decoder()
        return try store.buildCacheResult(for: key).flatMap { try usable($0, for: key, decoder: &decoder) }
    }

    public func lookup(_ keys: [Digest]) async throws -> [Digest: BuildResult] {
        var results: [Digest: BuildResult] = [:]
        var decoder = CachedResultCoding.Decoder()
        for (key, data) in try store.buildCacheResults(for: keys) {
            results[key] = try usable(data, for: key, decoder: &decoder)
        }
        return results
    }

    /// The decoded result, counted as served, unless it cannot be decoded or a layer it names
    /// was removed some other way: such a record is a miss, not an error.
    private func usable(_ data: Data, for key: Digest, decoder: inout CachedResultCoding.Decoder) throws -> BuildResult? {
        guard let result = decoder.decode(data) else { return nil }
        for layer in result.layers ?? [] {
            // Each step's result repeats the layers of the steps before it: each is looked for once.
            if presentBlobs.withLock({ $0.contains(layer.blob.digestString) }) { continue }
            guard try store.content.contains(try layer.blob.digest) else { return nil }
            presentBlobs.withLock { _ = $0.insert(layer.blob.digestString) }
        }
        hits.withLock { $0.append(key) }
        return result
    }

    /// Claims `key` with a lock file in the store, which every build on the store shares.
    public func claim(_ key: Digest) async throws -> (any CacheClaim)? {
        StepClaim(lock: try await store.lockStep(key))
    }

    private struct StepClaim: CacheClaim {
        let lock: StepLock
        func release() { lock.release() }
    }

    public func record(_ key: Digest, result: BuildResult) async throws {
        let data = try CachedResultCoding.encode(result)
        let layers = result.layers ?? []
        let blobs = try layers.map { try $0.blob.digest }
        // The unpacked layers stay with the record, so a step after a cached one finds its base.
        let snapshots = ChainID.chain(layers.map(\.diffID)).map { SnapshotKey(chainID: $0) }
        try store.recordBuildCacheResult(data, for: key, blobs: blobs, snapshots: snapshots)
    }
}
