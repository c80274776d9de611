public import Foundation

/// A reference to a piece of content: its media type, digest and size, with optional
/// download URLs, annotations, platform, artifact type and embedded data.
///
/// The digest is kept as written: the spec lets descriptors name algorithms Hoist does not
/// implement (`sha256+b64:…`), and such documents must still decode and round-trip. Content
/// Hoist creates always has a registered ``Digest``; read it with ``digest``.
public struct Descriptor: Hashable, Sendable, Codable {
    /// The media type of the referenced content.
    public var mediaType: MediaType
    /// The digest exactly as written, `algorithm:encoded`.
    public var digestString: String
    /// The size of the referenced content in bytes.
    public var size: Int64
    /// Places the content may also be downloaded from (foreign and nondistributable layers).
    public var urls: [String]?
    /// Arbitrary metadata (`org.opencontainers.image.ref.name`, …).
    public var annotations: [String: String]?
    /// The platform of the referenced manifest, in an index.
    public var platform: Platform?
    /// The type of an artifact, when the descriptor points at an artifact manifest.
    public var artifactType: MediaType?
    /// The content itself, embedded (base64 in JSON).
    public var data: Data?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A descriptor of content Hoist knows by a registered digest.
    public init(
        mediaType: MediaType, digest: Digest, size: Int64, urls: [String]? = nil,
        annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: MediaType? = nil,
        data: Data? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.mediaType = mediaType
        self.digestString = digest.description
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
        self.data = data
        self.unknownFields = unknownFields
    }

    /// A descriptor with an embedded copy of `content`, its digest and size computed here.
    public init(mediaType: MediaType, embedding content: Data, annotations: [String: String]? = nil) {
        self.init(
            mediaType: mediaType, digest: Digest(of: content), size: Int64(content.count),
            annotations: annotations, data: content)
    }

    /// The digest as a ``Digest``.
    ///
    /// - Throws: ``OCIError`` with code `unsupported` when the descriptor uses an algorithm
    ///   Hoist cannot compute, or `invalidArgument` when the digest is malformed.
    public var digest: Digest {
        get throws(OCIError) {
            if let problem = OCIGrammar.digestProblem(digestString) {
                throw OCIError(.invalidArgument, "invalid digest \"\(digestString)\": \(problem)")
            }
            let algorithm = digestString.prefix { $0 != ":" }
            guard Digest.Algorithm(rawValue: String(algorithm)) != nil else {
                throw OCIError(
                    .unsupported, "digest \"\(digestString)\" uses algorithm \"\(algorithm)\", which Hoist cannot verify")
            }
            return try Digest(parsing: digestString)
        }
    }

    /// The digest when its algorithm is one Hoist computes; nil otherwise.
    public var registeredDigest: Digest? { try? digest }

    /// Checks the rules of the OCI descriptor schema and the reference validator: a
    /// `type/subtype` media and artifact type, a well-formed digest (exact hex for registered
    /// algorithms), a size not below zero, absolute URLs, and embedded data matching size and digest.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying which rule failed.
    public func validate() throws(OCIError) {
        guard mediaType.isValid else {
            throw OCIError(.invalidArgument, "descriptor mediaType \"\(mediaType)\" is not a type/subtype media type")
        }
        if let artifactType, !artifactType.isValid {
            throw OCIError(
                .invalidArgument, "descriptor artifactType \"\(artifactType)\" is not a type/subtype media type")
        }
        if let problem = OCIGrammar.digestProblem(digestString) {
            throw OCIError(.invalidArgument, "descriptor digest \"\(digestString)\" is invalid: \(problem)")
        }
        guard size >= 0 else {
            throw OCIError(.invalidArgument, "descriptor size \(size) is negative")
        }
        for url in urls ?? [] where !OCIGrammar.isAbsoluteURI(url) {
            throw OCIError(.invalidArgument, "descriptor url \"\(url)\" is not an absolute URI")
        }
        if let data {
            guard Int64(data.count) == size else {
                throw OCIError(
                    .invalidArgument, "descriptor data holds \(data.count) bytes but its size says \(size)")
            }
            if let expected = registeredDigest, Digest(of: data, algorithm: expected.algorithm) != expected {
                throw OCIError(.invalidArgument, "descriptor data does not hash to its digest \(expected)")
            }
        }
        if let platform {
            guard !platform.os.isEmpty, !platform.architecture.isEmpty else {
                throw OCIError(.invalidArgument, "descriptor platform needs both os and architecture")
            }
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case mediaType, digest, size, urls, annotations, platform, artifactType, data
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try container.decode(MediaType.self, forKey: .mediaType)
        digestString = try container.decode(String.self, forKey: .digest)
        size = try container.decode(Int64.self, forKey: .size)
        urls = try container.decodeIfPresent([String].self, forKey: .urls)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        platform = try container.decodeIfPresent(Platform.self, forKey: .platform)
        artifactType = try container.decodeIfPresent(MediaType.self, forKey: .artifactType)
        if let text = try container.decodeIfPresent(String.self, forKey: .data) {
            guard let bytes = OCIGrammar.decodeStandardBase64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .data, in: container, debugDescription: "data is not standard base64 with padding")
            }
            data = bytes
        } else {
            data = nil
        }
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mediaType, forKey: .mediaType)
        try container.encode(digestString, forKey: .digest)
        try container.encode(size, forKey: .size)
        try container.encodeIfPresent(urls, forKey: .urls)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encodeIfPresent(platform, forKey: .platform)
        try container.encodeIfPresent(artifactType, forKey: .artifactType)
        try container.encodeIfPresent(data?.base64EncodedString(), forKey: .data)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
