/// How the bytes of a layer blob are compressed, as its media type says.
public enum LayerCompression: String, Sendable, Hashable, Codable, CaseIterable {
    /// A plain tar stream.
    case none
    case gzip
    case zstd
}
