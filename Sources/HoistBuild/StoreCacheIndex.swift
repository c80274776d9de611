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
        guard let data = try store.buildCacheResult(for: key),
              let result = try? JSONDecoder().decode(BuildResult.self, from: data)
        else { return nil }
        // A record whose layers were removed some other way is a miss, not an error.
        for layer in result.layers ?? [] where try !store.content.contains(try layer.blob.digest) {
            return nil
        }
        hits.withLock { $0.append(key) }
        return result
    }

    public func record(_ key: Digest, result: BuildResult) async throws {
        let data = try JSONEncoder().encode(result)
        let blobs = try (result.layers ?? []).map { try $0.blob.digest }
        try store.recordBuildCacheResult(data, for: key, blobs: blobs)
    }
}
