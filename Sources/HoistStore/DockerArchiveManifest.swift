/// One entry of a Docker archive's `manifest.json` (the `docker save` format): where the config
/// and the layer tars are inside the archive, and the names the image had.
public struct DockerArchiveManifest: Codable, Hashable, Sendable {
    /// The config file's path in the archive.
    public var config: String
    /// The image's names (`busybox:latest`).
    public var repoTags: [String]?
    /// The layer tars' paths, bottom first.
    public var layers: [String]

    public init(config: String, repoTags: [String]?, layers: [String]) {
        self.config = config
        self.repoTags = repoTags
        self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }

    /// Where a symbolic link inside the archive points: `target` relative to the link's own
    /// directory. docker save stores a layer two images share once and links the second
    /// (`ID/layer.tar -> ../ID0/layer.tar`).
    public static func resolve(_ target: String, besides link: String) -> String {
        var parts = target.hasPrefix("/") ? [] : link.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }
}
