public import HoistOCI

/// What ``Client/pruneImages(all:filters:)`` removed.
public struct PruneReport: Sendable, Hashable {
    /// The names taken off and the images deleted, image by image.
    public var removals: [ImageRemoval] = []
    /// The bytes of the blobs that went with them.
    public var reclaimedBytes: Int64 = 0

    /// The IDs of the deleted images.
    public var deletedImages: [Digest] {
        removals.compactMap { if case .deleted(let id) = $0 { id } else { nil } }
    }

    public init(removals: [ImageRemoval] = [], reclaimedBytes: Int64 = 0) {
        self.removals = removals
        self.reclaimedBytes = reclaimedBytes
    }
}
