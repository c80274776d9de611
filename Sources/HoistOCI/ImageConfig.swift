public import Foundation

/// The image configuration (`application/vnd.oci.image.config.v1+json`, or Docker's
/// `application/vnd.docker.container.image.v1+json`, which has the same shape): the platform,
/// the defaults for containers run from the image, the layers' uncompressed digests, and history.
///
/// Docker writes many more members (`container_config`, `docker_version`, …); they are kept in
/// ``unknownFields`` so a pulled config re-encodes without loss.
public struct ImageConfig: Hashable, Sendable, Codable {
    /// When the image was created, RFC 3339 as written (kept as text so nanoseconds survive).
    public var created: String?
    /// Who created the image.
    public var author: String?
    /// The CPU architecture the binaries need.
    public var architecture: String
    /// The operating system the image runs on.
    public var os: String
    /// The CPU variant.
    public var variant: String?
    /// The operating-system version (Windows).
    public var osVersion: String?
    /// Required operating-system features (Windows).
    public var osFeatures: [String]?
    /// The defaults for containers run from the image.
    public var config: ContainerConfig?
    /// The layers' uncompressed digests.
    public var rootfs: RootFS
    /// How each layer was made, oldest first, including steps that made no layer.
    public var history: [HistoryEntry]?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A configuration from its parts.
    public init(
        created: String? = nil, author: String? = nil, architecture: String, os: String, variant: String? = nil,
        osVersion: String? = nil, osFeatures: [String]? = nil, config: ContainerConfig? = nil,
        rootfs: RootFS = RootFS(), history: [HistoryEntry]? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.created = created
        self.author = author
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.config = config
        self.rootfs = rootfs
        self.history = history
        self.unknownFields = unknownFields
    }

    /// An empty configuration for `platform`, as `FROM scratch` starts.
    public init(platform: Platform) {
        self.init(
            architecture: platform.architecture, os: platform.os, variant: platform.variant,
            osVersion: platform.osVersion, osFeatures: platform.osFeatures)
    }

    /// The platform the image is for.
    public var platform: Platform {
        get {
            Platform(os: os, architecture: architecture, variant: variant, osVersion: osVersion, osFeatures: osFeatures)
        }
        set {
            (os, architecture, variant) = (newValue.os, newValue.architecture, newValue.variant)
            (osVersion, osFeatures) = (newValue.osVersion, newValue.osFeatures)
        }
    }

    /// ``created`` as a date; nil when absent or not RFC 3339.
    public var createdDate: Date? { created.flatMap(OCIGrammar.parseDateTime) }

    /// Checks the OCI config schema's rules and the reference validator's: RFC 3339 creation
    /// times, `rootfs.type` of `layers`, and environment entries of the form `NAME=value`.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying which rule failed.
    public func validate() throws(OCIError) {
        if let created, OCIGrammar.parseDateTime(created) == nil {
            throw OCIError(.invalidArgument, "config created \"\(created)\" is not an RFC 3339 date-time")
        }
        guard rootfs.type == RootFS.layersType else {
            throw OCIError(.invalidArgument, "config rootfs.type is \"\(rootfs.type)\", expected \"layers\"")
        }
        for entry in config?.env ?? [] where !OCIGrammar.isValidEnvironmentEntry(entry) {
            throw OCIError(.invalidArgument, "config Env entry \"\(entry)\" is not of the form NAME=value")
        }
        for (index, step) in (history ?? []).enumerated() {
            if let created = step.created, OCIGrammar.parseDateTime(created) == nil {
                throw OCIError(
                    .invalidArgument, "config history[\(index)].created \"\(created)\" is not an RFC 3339 date-time")
            }
        }
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case created, author, architecture, os, variant, config, rootfs, history
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        created = try container.decodeIfPresent(String.self, forKey: .created)
        author = try container.decodeIfPresent(String.self, forKey: .author)
        architecture = try container.decode(String.self, forKey: .architecture)
        os = try container.decode(String.self, forKey: .os)
        variant = try container.decodeIfPresent(String.self, forKey: .variant)
        osVersion = try container.decodeIfPresent(String.self, forKey: .osVersion)
        osFeatures = try container.decodeIfPresent([String].self, forKey: .osFeatures)
        config = try container.decodeIfPresent(ContainerConfig.self, forKey: .config)
        rootfs = try container.decode(RootFS.self, forKey: .rootfs)
        history = try container.decodeIfPresent([HistoryEntry].self, forKey: .history)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(created, forKey: .created)
        try container.encodeIfPresent(author, forKey: .author)
        try container.encode(architecture, forKey: .architecture)
        try container.encode(os, forKey: .os)
        try container.encodeIfPresent(variant, forKey: .variant)
        try container.encodeIfPresent(osVersion, forKey: .osVersion)
        try container.encodeIfPresent(osFeatures, forKey: .osFeatures)
        try container.encodeIfPresent(config, forKey: .config)
        try container.encode(rootfs, forKey: .rootfs)
        try container.encodeIfPresent(history, forKey: .history)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
