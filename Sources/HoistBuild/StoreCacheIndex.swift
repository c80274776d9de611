import Foundation
public import HoistOCI
public import HoistStore

/// The build cache index in the store's database: survives processes, is shared by concurrent
/// builds, and keeps the layers of every recorded result from garbage collection.
public struct StoreCacheIndex: CacheIndex {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func lookup(_ key: Digest) async throws -> BuildResult? {
        guard let data = try store.buildCacheResult(for: key),
              let result = try? JSONDecoder().decode(BuildResult.self, from: data)
        else { return nil }
        // A record whose layers were removed some other way is a miss, not an error.
        for layer in result.layers ?? [] where try !store.content.contains(try layer.blob.digest) {
            return nil
        }
        return result
    }

    public func record(_ key: Digest, result: BuildResult) async throws {
        let data = try JSONEncoder().encode(result)
        let blobs = try (result.layers ?? []).map { try $0.blob.digest }
        try store.recordBuildCacheResult(data, for: key, blobs: blobs)
    }
}
