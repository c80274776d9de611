/// One entry of a Docker archive's `manifest.json` (the `docker save` format): where the config
/// and the layer tars are inside the archive, and the names the image had.
struct DockerArchiveManifest: Codable, Hashable {
    var config: String
    var repoTags: [String]?
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }
}
