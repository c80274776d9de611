import GRDB
public import HoistOCI

extension Store {
    /// Every blob reachable from the manifests or indexes `targets`, the targets included:
    /// what keeps those images whole, as garbage collection sees it.
    public func blobs(reachableFrom targets: [Descriptor]) throws -> Set<Digest> {
        try content.reachable(from: targets.map { (mediaType: $0.mediaType.rawValue, digest: try $0.digest) })
    }

    /// The number of build cache records.
    public func buildCacheEntryCount() throws -> Int {
        try database.read { db in try BuildCacheRow.fetchCount(db) }
    }

    /// The blobs that build cache records keep alive.
    public func blobsHeldByBuildCache() throws -> Set<Digest> {
        Set(try buildCacheBlobs())
    }
}
