/// What a backend runs on, as `hoist version` (and `docker version`'s Server section) shows it.
public struct BackendVersion: Sendable, Hashable, Codable {
    /// A part the backend runs with and its version (`runc` `1.1.5+ds1`).
    public struct Component: Sendable, Hashable, Codable {
        public var name: String
        public var version: String
        public var details: [String: String]

        public init(name: String, version: String, details: [String: String] = [:]) {
            self.name = name
            self.version = version
            self.details = details
        }

        enum CodingKeys: String, CodingKey {
            case name = "Name", version = "Version", details = "Details"
        }
    }

    public var backend: Backend
    /// The engine's name: `Hoist` (native), `Docker Engine`, `containerd`.
    public var platform: String
    /// The engine's version.
    public var version: String
    /// The engine's API version and the oldest it accepts, where it has one (Docker's).
    public var apiVersion: String?
    public var minimumAPIVersion: String?
    /// The engine's platform, as it reports it.
    public var os: String
    public var architecture: String
    /// The engine first, then what it runs with (the OCI runtime for native).
    public var components: [Component]

    public init(
        backend: Backend, platform: String, version: String, apiVersion: String? = nil, minimumAPIVersion: String? = nil,
        os: String, architecture: String, components: [Component]
    ) {
        self.backend = backend
        self.platform = platform
        self.version = version
        self.apiVersion = apiVersion
        self.minimumAPIVersion = minimumAPIVersion
        self.os = os
        self.architecture = architecture
        self.components = components
    }
}
