import HoistOCI

extension RegistryClient {
    /// Checks `credential` against the registry at `host` (`/v2/`, with whatever challenge it
    /// sends) and keeps it where Docker would. A token service's refresh token is kept instead
    /// of the password, as `docker login` keeps it.
    ///
    /// - Throws: ``RegistryError`` `failedPrecondition` when the registry refuses the credential.
    public func login(host: String, credential: RegistryCredential) async throws {
        let registryHost = RegistryKey.isDockerHub(host) ? Reference.dockerHubRegistryHost : host
        let session = transport(for: registryHost, credential: credential, wantsRefreshToken: true)
        let request = RegistryRequest(.GET, "/v2/", scopes: [])
        let response = try await configuration.retry.run { _ in try await session.send(request, expecting: [200]) }
        _ = try? await response.body.collect(upTo: 1 << 16)
        var kept = credential
        if let refresh = await session.authorizer.refreshToken {
            kept.identityToken = refresh
        }
        try configuration.credentials.store(kept, forHost: host)
    }

    /// Forgets the credential kept for `host`; returns false when there was none.
    @discardableResult
    public func logout(host: String) throws -> Bool {
        try configuration.credentials.remove(forHost: host)
    }
}
