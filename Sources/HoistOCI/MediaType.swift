/// The media type of a piece of content (`application/vnd.oci.image.manifest.v1+json`, …).
///
/// Any string decodes, so documents with types Hoist does not know still round-trip; ``isValid``
/// says whether it has the `type/subtype` shape the spec requires.
public struct MediaType: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The media type as written.
    public let rawValue: String

    /// Wraps `rawValue` as written; check ``isValid`` before trusting its shape.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps `rawValue` as written.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    public static func < (lhs: MediaType, rhs: MediaType) -> Bool { lhs.rawValue < rhs.rawValue }

    // MARK: OCI

    /// An OCI content descriptor on its own.
    public static let ociDescriptor: MediaType = "application/vnd.oci.descriptor.v1+json"
    /// The `oci-layout` file at the root of an OCI image layout.
    public static let ociLayoutHeader: MediaType = "application/vnd.oci.layout.header.v1+json"
    /// An OCI image manifest.
    public static let ociManifest: MediaType = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index.
    public static let ociIndex: MediaType = "application/vnd.oci.image.index.v1+json"
    /// An OCI image configuration.
    public static let ociConfig: MediaType = "application/vnd.oci.image.config.v1+json"
    /// The empty JSON object `{}`, used as the config of artifacts that have none.
    public static let ociEmpty: MediaType = "application/vnd.oci.empty.v1+json"
    /// An uncompressed layer tar.
    public static let ociLayer: MediaType = "application/vnd.oci.image.layer.v1.tar"
    /// A gzip-compressed layer tar.
    public static let ociLayerGzip: MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// A zstd-compressed layer tar.
    public static let ociLayerZstd: MediaType = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// An uncompressed layer that may not be redistributed (deprecated by the spec, still read).
    public static let ociLayerNondistributable: MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    /// A gzip-compressed layer that may not be redistributed.
    public static let ociLayerNondistributableGzip: MediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    /// A zstd-compressed layer that may not be redistributed.
    public static let ociLayerNondistributableZstd: MediaType =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

    // MARK: Docker

    /// A Docker image manifest, schema 2.
    public static let dockerManifest: MediaType = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list (Docker's multi-platform index).
    public static let dockerManifestList: MediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// A Docker container image configuration.
    public static let dockerConfig: MediaType = "application/vnd.docker.container.image.v1+json"
    /// A Docker gzip-compressed layer tar.
    public static let dockerLayerGzip: MediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// A Docker uncompressed layer tar (rare; written by some tools).
    public static let dockerLayer: MediaType = "application/vnd.docker.image.rootfs.diff.tar"
    /// A Docker "foreign" layer, fetched from its URLs and never pushed (Windows base layers).
    public static let dockerForeignLayerGzip: MediaType = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    /// A Docker plugin configuration.
    public static let dockerPluginConfig: MediaType = "application/vnd.docker.plugin.v1+json"

    // MARK: Questions

    private static let manifests: Set<MediaType> = [.ociManifest, .dockerManifest]
    private static let indexes: Set<MediaType> = [.ociIndex, .dockerManifestList]
    private static let configs: Set<MediaType> = [.ociConfig, .dockerConfig]
    private static let layerCompressions: [MediaType: LayerCompression] = [
        .ociLayer: .none, .ociLayerGzip: .gzip, .ociLayerZstd: .zstd,
        .ociLayerNondistributable: .none, .ociLayerNondistributableGzip: .gzip, .ociLayerNondistributableZstd: .zstd,
        .dockerLayer: .none, .dockerLayerGzip: .gzip, .dockerForeignLayerGzip: .gzip,
    ]

    /// Whether this names an image manifest (OCI or Docker schema 2).
    public var isManifest: Bool { Self.manifests.contains(self) }
    /// Whether this names an image index (OCI index or Docker manifest list).
    public var isIndex: Bool { Self.indexes.contains(self) }
    /// Whether this names an image configuration (OCI or Docker).
    public var isConfig: Bool { Self.configs.contains(self) }
    /// Whether this names a filesystem layer Hoist can unpack.
    public var isLayer: Bool { Self.layerCompressions[self] != nil }
    /// Whether this is a Docker media type rather than an OCI one.
    public var isDocker: Bool { rawValue.hasPrefix("application/vnd.docker.") }
    /// Whether the layer must not be pushed to another registry (OCI nondistributable or
    /// Docker foreign layers).
    public var isNondistributable: Bool {
        self == .ociLayerNondistributable || self == .ociLayerNondistributableGzip
            || self == .ociLayerNondistributableZstd || self == .dockerForeignLayerGzip
    }

    /// The compression of a layer of this type; nil when this is not a layer type.
    public var layerCompression: LayerCompression? { Self.layerCompressions[self] }

    /// The OCI layer media type for a layer compressed with `compression`.
    public static func ociLayer(compression: LayerCompression) -> MediaType {
        switch compression {
        case .none: .ociLayer
        case .gzip: .ociLayerGzip
        case .zstd: .ociLayerZstd
        }
    }

    /// Whether the string has the `type/subtype` shape of RFC 6838 that the OCI schemas require.
    public var isValid: Bool { OCIGrammar.isValidMediaType(rawValue) }
}
