public import Foundation

/// Where registry credentials come from and go to, as the Docker CLI keeps them: a helper named
/// for the registry in `credHelpers`, else the `credsStore` helper, else `auths` in
/// `config.json`.
public struct CredentialStore: Sendable {
    /// Docker's configuration file.
    public let configFile: DockerConfigFile
    /// The directories where `docker-credential-*` helpers are looked for.
    public let helperSearchPath: [String]

    /// The store of `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), with helpers
    /// looked for on `$PATH`.
    public init(configFile: DockerConfigFile = DockerConfigFile(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configFile = configFile
        helperSearchPath = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    }

    /// The credential for the registry at `host`, or nil to go anonymous.
    public func credential(forHost host: String) throws -> RegistryCredential? {
        let key = RegistryKey.forHost(host)
        if let helper = try configFile.helper(for: key) {
            return try CredentialHelper(name: helper, searchPath: helperSearchPath).get(key)
        }
        return try configFile.storedCredential(for: key)
    }

    /// Keeps `credential` for the registry at `host`, where `docker login` would.
    public func store(_ credential: RegistryCredential, forHost host: String) throws {
        let key = RegistryKey.forHost(host)
        if let helper = try configFile.helper(for: key) {
            try CredentialHelper(name: helper, searchPath: helperSearchPath).store(credential, for: key)
        } else {
            try configFile.store(credential, for: key)
        }
    }

    /// Forgets the credential for `host`; returns false when there was none in the file (a
    /// helper is asked to erase in any case).
    @discardableResult
    public func remove(forHost host: String) throws -> Bool {
        let key = RegistryKey.forHost(host)
        if let helper = try configFile.helper(for: key) {
            try CredentialHelper(name: helper, searchPath: helperSearchPath).erase(key)
            return true
        }
        return try configFile.remove(key)
    }
}
