import Foundation
public import HoistOCI
public import HoistRegistry

extension Client {
    /// Pulls `name` (`busybox`, `localhost:5000/app:1`, `repo@sha256:…`) from its registry into
    /// the store and names it there, choosing from a multi-platform index the manifest for
    /// `platform` (default: this host's).
    ///
    /// - Throws: ``RegistryError`` from the registry (`notFound`, `failedPrecondition` for
    ///   denied access, `unavailable` after the retries, `dataLoss` for content that does not
    ///   match its digest), ``ClientError`` (`invalidArgument`) for a bad name.
    public func pull(
        _ name: String, platform: Platform? = nil, configuration: RegistryConfiguration = RegistryConfiguration(),
        progress: @escaping TransferProgressHandler = { _ in }
    ) async throws -> PullResult {
        try await storeImages.pull(name, platform: platform, configuration: configuration, progress: progress)
    }

    /// Pushes the image `name` to `destination` (default: `name` itself, which must then be a
    /// registry reference). Blobs the registry has are skipped; blobs in another repository of
    /// the same registry under which this image is also named are mounted from there.
    ///
    /// - Throws: ``ClientError`` `notFound` when there is no such image; ``RegistryError``.
    public func push(
        _ name: String, to destination: String? = nil, configuration: RegistryConfiguration = RegistryConfiguration(),
        progress: @escaping TransferProgressHandler = { _ in }
    ) async throws -> PushResult {
        try await storeImages.push(name, to: destination, configuration: configuration, progress: progress)
    }

    /// The image `name` for a build's `FROM`, pulled or not as `policy` says: `missing` pulls
    /// only when the store lacks it, `always` pulls every time, `never` never does.
    ///
    /// - Throws: ``ClientError`` `notFound` under `never` when the store lacks it, or what
    ///   ``pull(_:platform:configuration:progress:)`` throws.
    public func image(
        _ name: String, pullPolicy policy: PullPolicy, platform: Platform? = nil,
        configuration: RegistryConfiguration = RegistryConfiguration(), progress: @escaping TransferProgressHandler = { _ in }
    ) async throws -> ImageDetails {
        _ = try await storeImages.image(name, pullPolicy: policy, platform: platform, configuration: configuration, progress: progress)
        return try inspect(name)
    }

    /// Checks `username`/`password` against `registry` (`docker.io` when nil) and keeps them
    /// in Docker's config file or credential helper, as `docker login` does.
    ///
    /// - Throws: ``RegistryError`` `failedPrecondition` when the registry refuses them.
    public func login(
        registry: String?, username: String, password: String, configuration: RegistryConfiguration = RegistryConfiguration()
    ) async throws {
        let host = RegistryKey.hostname(of: registry ?? Reference.dockerHubDomain)
        try await RegistryClient.withClient(configuration: configuration) { client in
            try await client.login(host: host, credential: RegistryCredential(username: username, password: password))
        }
    }

    /// Forgets the credential kept for `registry` (`docker.io` when nil); returns whether
    /// there was one.
    @discardableResult
    public func logout(registry: String?, configuration: RegistryConfiguration = RegistryConfiguration()) throws -> Bool {
        try configuration.credentials.remove(forHost: RegistryKey.hostname(of: registry ?? Reference.dockerHubDomain))
    }

    /// Gives the image `source` the additional name `target`, as `docker tag` does.
    ///
    /// - Throws: ``ClientError`` `notFound` / `invalidArgument`.
    public func tag(_ source: String, as target: String) throws {
        let image = try resolve(source)
        let reference = try parseReference(target)
        guard reference.digest == nil else {
            throw ClientError(.invalidArgument, "cannot tag with a digest reference: \(target)")
        }
        try store.setName(reference.description, target: image.target, created: image.config.createdDate ?? Date())
    }
}
