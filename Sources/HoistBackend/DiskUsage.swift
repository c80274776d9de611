/// How much disk the store's images, containers and build cache take, as `docker system df`
/// shows it.
public struct DiskUsage: Sendable, Hashable, Codable {
    /// One line of the report.
    public struct Usage: Sendable, Hashable, Codable {
        /// How many there are.
        public var total: Int
        /// How many are in use (images: by a container).
        public var active: Int
        /// The bytes they take, blobs shared between them counted once.
        public var size: Int64
        /// The bytes removing the unused ones would free.
        public var reclaimable: Int64

        public init(total: Int = 0, active: Int = 0, size: Int64 = 0, reclaimable: Int64 = 0) {
            self.total = total
            self.active = active
            self.size = size
            self.reclaimable = reclaimable
        }
    }

    /// Images: their manifests, configs and layers.
    public var images: Usage
    /// Kept containers: active ones run; sizes are their writable layers and logs.
    public var containers: Usage
    /// Build cache records, sized by the layers they keep.
    public var buildCache: Usage

    public init(images: Usage, containers: Usage, buildCache: Usage) {
        self.images = images
        self.containers = containers
        self.buildCache = buildCache
    }
}
