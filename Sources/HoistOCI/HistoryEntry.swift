/// One step of an image's history: what made a layer, or a step that made none.
public struct HistoryEntry: Hashable, Sendable, Codable {
    /// When the step ran, RFC 3339 as written.
    public var created: String?
    /// The command of the step, e.g. `/bin/sh -c #(nop)  CMD ["sh"]` or `RUN /bin/sh -c make`.
    public var createdBy: String?
    /// Who made the step.
    public var author: String?
    /// A free comment (`buildkit.dockerfile.v0`).
    public var comment: String?
    /// Whether the step left no layer (metadata-only steps such as `ENV`).
    public var emptyLayer: Bool?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A history step from its parts.
    public init(
        created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil,
        emptyLayer: Bool? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.created = created
        self.createdBy = createdBy
        self.author = author
        self.comment = comment
        self.emptyLayer = emptyLayer
        self.unknownFields = unknownFields
    }

    /// Whether the step made a layer (``emptyLayer`` absent counts as made).
    public var madeLayer: Bool { emptyLayer != true }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case created, author, comment
        case createdBy = "created_by"
        case emptyLayer = "empty_layer"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        created = try container.decodeIfPresent(String.self, forKey: .created)
        createdBy = try container.decodeIfPresent(String.self, forKey: .createdBy)
        author = try container.decodeIfPresent(String.self, forKey: .author)
        comment = try container.decodeIfPresent(String.self, forKey: .comment)
        emptyLayer = try container.decodeIfPresent(Bool.self, forKey: .emptyLayer)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encodeIfPresent(createdBy, forKey: .createdBy)
        try container.encodeIfPresent(author, forKey: .author)
        try container.encodeIfPresent(comment, forKey: .comment)
        try container.encodeIfPresent(emptyLayer, forKey: .emptyLayer)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
