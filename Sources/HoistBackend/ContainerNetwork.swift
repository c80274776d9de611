import HoistRuntime

/// The network a container joins (`--network`).
public enum ContainerNetwork: Sendable, Hashable, Codable {
    /// A namespace of its own with only loopback.
    case none
    /// The host's network.
    case host
    /// A bridge network by name: `bridge` is the default one, others are made with
    /// ``Client/createNetwork(_:subnet:internal:)``.
    case bridge(String)

    /// The default bridge network, Docker's default.
    public static let `default` = ContainerNetwork.bridge(NetworkDefinition.defaultName)

    /// Reads `--network`: `none`, `host`, `bridge` or `default`, or a network's name.
    public init(parsing text: String) {
        switch text {
        case "none": self = .none
        case "host": self = .host
        case "default", "": self = .default
        default: self = .bridge(text)
        }
    }
}
