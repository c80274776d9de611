import Foundation
public import HoistOCI

/// Everything `hoist inspect` shows of an image, shaped like `docker image inspect`.
public struct ImageDetails: Sendable, Hashable, Codable {
    /// The image ID (config digest).
    public var id: Digest
    /// Every name of the image, familiar form (`busybox:latest`).
    public var repoTags: [String]
    /// The manifest (or index) digest.
    public var digest: Digest
    /// The manifest's media type.
    public var mediaType: MediaType
    /// When the image was created, as its config says.
    public var created: String?
    /// Its platform.
    public var architecture: String
    public var os: String
    public var variant: String?
    /// The run configuration: Env, Cmd, Entrypoint, …
    public var config: ContainerConfig?
    /// The layers' diff IDs.
    public var rootFS: RootFS
    /// The build history.
    public var history: [HistoryEntry]?
    /// Stored bytes of layers and config.
    public var size: Int64
    /// The layers as stored: media type, digest and size each.
    public var layers: [Descriptor]

    package enum CodingKeys: String, CodingKey {
        case id = "Id"
        case repoTags = "RepoTags"
        case digest = "Digest"
        case mediaType = "MediaType"
        case created = "Created"
        case architecture = "Architecture"
        case os = "Os"
        case variant = "Variant"
        case config = "Config"
        case rootFS = "RootFS"
        case history = "History"
        case size = "Size"
        case layers = "Layers"
    }

    package init(id: Digest, repoTags: [String], digest: Digest, mediaType: MediaType, created: String? = nil, architecture: String, os: String, variant: String? = nil, config: ContainerConfig? = nil, rootFS: RootFS, history: [HistoryEntry]? = nil, size: Int64, layers: [Descriptor]) {
        self.id = id
        self.repoTags = repoTags
        self.digest = digest
        self.mediaType = mediaType
        self.created = created
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.config = config
        self.rootFS = rootFS
        self.history = history
        self.size = size
        self.layers = layers
    }
}
