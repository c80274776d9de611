/// An image manifest: one image for one platform, as a config and an ordered list of layers.
///
/// Both the OCI image manifest and Docker's image manifest schema 2 have this shape; the
/// ``mediaType`` tells them apart (Docker requires it, OCI makes it optional).
public struct ImageManifest: Hashable, Sendable, Codable {
    /// Always 2 for the manifests Hoist reads and writes.
    public var schemaVersion: Int
    /// `application/vnd.oci.image.manifest.v1+json` or Docker's schema-2 type; nil in OCI
    /// manifests that omit it.
    public var mediaType: MediaType?
    /// The type of artifact this manifest holds, when it is not a container image.
    public var artifactType: MediaType?
    /// The image configuration.
    public var config: Descriptor
    /// The filesystem layers, base first.
    public var layers: [Descriptor]
    /// The manifest this one refers to (signatures, attestations, SBOMs).
    public var subject: Descriptor?
    /// Arbitrary metadata.
    public var annotations: [String: String]?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A schema-2 manifest; OCI unless `mediaType` says otherwise.
    public init(
        mediaType: MediaType? = .ociManifest, artifactType: MediaType? = nil, config: Descriptor,
        layers: [Descriptor], subject: Descriptor? = nil, annotations: [String: String]? = nil,
        unknownFields: [String: JSONValue] = [:]
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.artifactType = artifactType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
        self.unknownFields = unknownFields
    }

    /// Whether this is a Docker schema-2 manifest rather than an OCI one.
    public var isDockerSchema2: Bool { mediaType == .dockerManifest }

    /// The bytes of the config and the layers together, as `images` and `system df` show them.
    /// Saturates at `Int64.max`: a hostile manifest's sizes must not overflow a sum.
    public var totalSize: Int64 {
        layers.reduce(max(config.size, 0)) { total, layer in
            let (sum, overflow) = total.addingReportingOverflow(max(layer.size, 0))
            return overflow ? .max : sum
        }
    }

    /// Checks the OCI manifest schema's rules: schema version 2, a manifest media type when one
    /// is given, valid descriptors, and at least one layer.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying which rule failed.
    public func validate() throws(OCIError) {
        try validate(allowingEmptyLayers: false)
    }

    /// Checks the rules of ``validate()``, but accepts a manifest without layers when
    /// `allowingEmptyLayers` (images built `FROM scratch` with no file changes have none,
    /// though the schema asks for one).
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying which rule failed.
    public func validate(allowingEmptyLayers allowEmptyLayers: Bool) throws(OCIError) {
        guard schemaVersion == 2 else {
            throw OCIError(.invalidArgument, "manifest schemaVersion is \(schemaVersion), expected 2")
        }
        if let mediaType, !mediaType.isManifest {
            throw OCIError(.invalidArgument, "manifest mediaType \"\(mediaType)\" is not an image manifest type")
        }
        if let artifactType, !artifactType.isValid {
            throw OCIError(.invalidArgument, "manifest artifactType \"\(artifactType)\" is not a type/subtype media type")
        }
        try validateMember("config") { () throws(OCIError) in try config.validate() }
        guard allowEmptyLayers || !layers.isEmpty else {
            throw OCIError(.invalidArgument, "manifest has no layers; at least one is required")
        }
        for (index, layer) in layers.enumerated() {
            try validateMember("layers[\(index)]") { () throws(OCIError) in try layer.validate() }
        }
        if let subject {
            try validateMember("subject") { () throws(OCIError) in try subject.validate() }
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case schemaVersion, mediaType, artifactType, config, layers, subject, annotations
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        mediaType = try container.decodeIfPresent(MediaType.self, forKey: .mediaType)
        artifactType = try container.decodeIfPresent(MediaType.self, forKey: .artifactType)
        config = try container.decode(Descriptor.self, forKey: .config)
        layers = try container.decode([Descriptor].self, forKey: .layers)
        subject = try container.decodeIfPresent(Descriptor.self, forKey: .subject)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encodeIfPresent(mediaType, forKey: .mediaType)
        try container.encodeIfPresent(artifactType, forKey: .artifactType)
        try container.encode(config, forKey: .config)
        try container.encode(layers, forKey: .layers)
        try container.encodeIfPresent(subject, forKey: .subject)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}

/// Runs a member's validation, prefixing its error with where in the document it failed.
func validateMember(_ path: String, _ check: () throws(OCIError) -> Void) throws(OCIError) {
    do {
        try check()
    } catch {
        throw OCIError(error.code, "\(path): \(error.message)")
    }
}
