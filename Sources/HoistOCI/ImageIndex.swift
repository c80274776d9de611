/// An image index: a list of manifests, usually one image per platform.
///
/// Both the OCI image index and Docker's manifest list have this shape; the ``mediaType``
/// tells them apart. The `index.json` of an OCI image layout is an index too.
public struct ImageIndex: Hashable, Sendable, Codable {
    /// Always 2.
    public var schemaVersion: Int
    /// `application/vnd.oci.image.index.v1+json` or Docker's manifest-list type; nil in OCI
    /// indexes that omit it.
    public var mediaType: MediaType?
    /// The type of artifact this index holds, when it is not a multi-platform image.
    public var artifactType: MediaType?
    /// The manifests (or nested indexes) listed, each usually with a ``Descriptor/platform``.
    public var manifests: [Descriptor]
    /// The manifest this index refers to.
    public var subject: Descriptor?
    /// Arbitrary metadata.
    public var annotations: [String: String]?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A schema-2 index; OCI unless `mediaType` says otherwise.
    public init(
        mediaType: MediaType? = .ociIndex, artifactType: MediaType? = nil, manifests: [Descriptor],
        subject: Descriptor? = nil, annotations: [String: String]? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.manifests = manifests
        self.subject = subject
        self.annotations = annotations
        self.unknownFields = unknownFields
    }

    /// Whether this is a Docker manifest list rather than an OCI index.
    public var isDockerManifestList: Bool { mediaType == .dockerManifestList }

    /// The best manifest for `matcher` (the host's platform unless told); nil when no entry fits.
    public func manifest(for matcher: PlatformMatcher = .host) -> Descriptor? {
        matcher.bestMatch(in: manifests)
    }

    /// Checks the OCI index schema's rules: schema version 2, an index media type when one is
    /// given, and valid descriptors, each platform naming its OS and architecture.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying which rule failed.
    public func validate() throws(OCIError) {
        guard schemaVersion == 2 else {
            throw OCIError(.invalidArgument, "index schemaVersion is \(schemaVersion), expected 2")
        }
        if let mediaType, !mediaType.isIndex {
            throw OCIError(.invalidArgument, "index mediaType \"\(mediaType)\" is not an image index type")
        }
        if let artifactType, !artifactType.isValid {
            throw OCIError(.invalidArgument, "index artifactType \"\(artifactType)\" is not a type/subtype media type")
        }
        for (index, entry) in manifests.enumerated() {
            try validateMember("manifests[\(index)]") { () throws(OCIError) in try entry.validate() }
        }
        if let subject {
            try validateMember("subject") { () throws(OCIError) in try subject.validate() }
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case schemaVersion, mediaType, artifactType, manifests, subject, annotations
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        mediaType = try container.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try container.decodeIfPresent(MediaType.self, forKey: .artifactType)
        manifests = try container.decode([Descriptor].self, forKey: .manifests)
        subject = try container.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encodeIfPresent(mediaType, forKey: .mediaType)
        try container.encodeIfPresent(artifactType, forKey: .artifactType)
        try container.encode(manifests, forKey: .manifests)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
