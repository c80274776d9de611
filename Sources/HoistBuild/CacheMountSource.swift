/// Where a build finds the contents of a cache mount its store has never had: the caches it
/// imports (``SharedCacheIndex``).
public protocol CacheMountSource: Sendable {
    /// Fills `directory` (which does not exist) with `mount`'s contents, returning false when
    /// there are none to be had; a source that fails says so as a warning and returns false.
    func restore(_ mount: CacheArtifact.Mount, into directory: String) async -> Bool
}
