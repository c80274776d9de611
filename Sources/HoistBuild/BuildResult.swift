public import HoistOCI

/// A layer of a build result: its uncompressed digest and the blob that stores it.
public struct LayerRef: Sendable, Hashable, Codable {
    /// The digest of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    public var diffID: Digest
    /// The stored blob (possibly compressed), as a manifest lists it.
    public var blob: Descriptor
    /// When a build step made the layer (RFC 3339); nil for layers of pulled or imported images.
    /// A cached result keeps it, so rebuilding from the cache gives the same image.
    public var created: String?

    public init(diffID: Digest, blob: Descriptor, created: String? = nil) {
        self.diffID = diffID
        self.blob = blob
        self.created = created
    }
}

/// What a vertex produced: a root filesystem as a chain of layers (with the config, for an
/// image source), or a local directory.
public enum BuildResult: Sendable, Hashable, Codable {
    /// A filesystem made of layers, bottom first; `config` is set for image sources.
    case layers([LayerRef], config: ImageConfig?)
    /// A directory on the client's disk, with the patterns that filter it.
    case directory(path: String, exclude: [String])

    /// The empty filesystem (`FROM scratch`).
    public static let scratch = BuildResult.layers([], config: nil)

    /// The layers, or nil for a directory.
    public var layers: [LayerRef]? {
        if case .layers(let layers, _) = self { return layers }
        return nil
    }
}
