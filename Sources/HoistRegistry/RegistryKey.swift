public import HoistOCI

/// How Docker's config file names a registry: the host, except Docker Hub, which is known by its
/// legacy index URL.
public enum RegistryKey {
    /// The key Docker uses for Docker Hub in `auths` and `credHelpers`.
    public static let dockerHubIndex = "https://index.docker.io/v1/"

    /// The key for the registry serving `host` (a registry host or a reference domain).
    public static func forHost(_ host: String) -> String {
        isDockerHub(host) ? dockerHubIndex : host
    }

    /// `host` for the key a user typed (`hoist login docker.io`, `https://h:5000/v2/`).
    public static func hostname(of key: String) -> String {
        var text = Substring(key)
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
        }
        let host = String(text.prefix { $0 != "/" })
        return isDockerHub(host) ? Reference.dockerHubDomain : host
    }

    static func isDockerHub(_ host: String) -> Bool {
        [Reference.dockerHubDomain, Reference.dockerHubRegistryHost, "index.docker.io"].contains(host)
    }
}
