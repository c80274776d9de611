public import HoistOCI
public import HoistStore

/// Where a build cache (a ``CacheArtifact``) is kept away from the store: a directory, a
/// registry. Reading is in two steps, so a build fetches a layer only when a step needs it: the
/// manifest and its records first (``readArtifact(through:)``), then a blob at a time (``fetch(_:into:)``).
public protocol CacheStorage: Sendable {
    /// Where it is, for messages (`DIR`, `host/repo:tag`).
    var description: String { get }
    /// The cache's manifest and records; nil when nothing is kept there yet. `store` may hold
    /// the records' blob on the way (verified there), for a storage that downloads it.
    ///
    /// - Throws: when the storage cannot be read or holds something that is not a cache.
    func readArtifact(through store: Store) async throws -> (manifest: ImageManifest, artifact: CacheArtifact)?
    /// Copies `blob` into `store`, verified against its digest and size.
    ///
    /// - Throws: `StoreError` (`dataLoss`) when the bytes are not the blob's; `notFound`.
    func fetch(_ blob: Descriptor, into store: Store) async throws
    /// Keeps `artifact` here, its layer blobs taken from `store`, replacing what was kept.
    func write(_ artifact: CacheArtifact, from store: Store) async throws
}
