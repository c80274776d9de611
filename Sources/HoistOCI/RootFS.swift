/// The `rootfs` of an image configuration: the uncompressed digests of the layers, base first.
public struct RootFS: Hashable, Sendable, Codable {
    /// The only type the spec defines.
    public static let layersType = "layers"

    /// Always ``layersType`` in valid configs.
    public var type: String
    /// The digest of each layer's uncompressed tar, in the manifest's layer order.
    public var diffIDs: [Digest]
    /// Members Hoist does not model (Windows' `base_layer`), kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A root filesystem of the given layers.
    public init(type: String = RootFS.layersType, diffIDs: [Digest] = [], unknownFields: [String: JSONValue] = [:]) {
        self.type = type
        self.diffIDs = diffIDs
        self.unknownFields = unknownFields
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case type
        case diffIDs = "diff_ids"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        diffIDs = try container.decode([Digest].self, forKey: .diffIDs)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(diffIDs, forKey: .diffIDs)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
