import Foundation
public import HoistRegistry
import HoistDockerEngine
import HoistOCI

/// A step of a pull or push the Docker daemon makes, as its progress stream reports it.
public struct DaemonTransferProgress: Sendable, Hashable {
    /// The layer (the daemon's short ID) or tag the step is about.
    public var item: String?
    /// The daemon's words: `Downloading`, `Pushed`, `Layer already exists` …
    public var status: String
    /// Bytes moved so far and in all, while bytes move.
    public var completed: Int64?
    public var total: Int64?
}

/// What `hoist --backend docker push` pushed.
public struct DaemonPushResult: Sendable, Hashable {
    public var reference: String
    /// The manifest's digest and size, as the daemon reports them.
    public var digest: String?
    public var size: Int64?
}

extension Client {
    /// Pulls `name` into the Docker daemon of the docker backend (`hoist --backend docker pull`),
    /// with the credential Hoist keeps for its registry (Docker's config file or credential
    /// helper); returns the image's ID in the daemon.
    ///
    /// - Throws: ``ClientError`` `unsupported` on another backend; the daemon's error, verbatim.
    public func pullThroughDaemon(
        _ name: String, configuration: RegistryConfiguration = RegistryConfiguration(),
        progress: @escaping @Sendable (DaemonTransferProgress) -> Void = { _ in }
    ) async throws -> String {
        let engine = try await daemonEngine(doing: "pull")
        let reference = try parseReference(name)
        try await engine.pullImage(
            reference.familiarString, registryAuth: try registryAuth(for: reference, configuration), progress: { progress(.init($0)) })
        return try await engine.inspectImage(reference.familiarString).id
    }

    /// Pushes the daemon's image `name` to `destination` (default: `name`, which must then be
    /// a registry reference) through the Docker daemon of the docker backend, with the
    /// credential Hoist keeps for that registry.
    ///
    /// - Throws: ``ClientError`` `unsupported` on another backend; the daemon's error, verbatim.
    public func pushThroughDaemon(
        _ name: String, to destination: String? = nil, configuration: RegistryConfiguration = RegistryConfiguration(),
        progress: @escaping @Sendable (DaemonTransferProgress) -> Void = { _ in }
    ) async throws -> DaemonPushResult {
        let engine = try await daemonEngine(doing: "push")
        let reference = try parseReference(destination ?? name)
        let tag = reference.digest == nil ? reference.tag ?? "latest" : nil
        if destination != nil {
            // The daemon pushes a name it has: the image gets the destination's first, as `docker tag` would.
            try await engine.tagImage(name, repository: reference.familiarName, tag: tag ?? "latest")
        }
        let pushed = try await engine.pushImage(
            reference.familiarName, tag: tag, registryAuth: try registryAuth(for: reference, configuration),
            progress: { progress(.init($0)) })
        return DaemonPushResult(reference: reference.familiarString, digest: pushed?.digest, size: pushed?.size)
    }

    /// Pulls `reference` into the daemon `engine` for a build's base image, as native pulls
    /// are made: with the credential Hoist keeps for its registry, for `platform`, tried again
    /// after a transient failure as `configuration.retry` says, each try given at most
    /// `timeout`.
    func pullBaseImage(_ reference: Reference, platform: Platform?, engine: EngineClient,
                       configuration: RegistryConfiguration, timeout: Duration) async throws {
        let auth = try registryAuth(for: reference, configuration)
        var attempt = 1
        while true {
            do {
                try await engine.pullImage(
                    reference.familiarString, registryAuth: auth, platform: platform?.description, timeout: timeout)
                return
            } catch let error as EngineError where error.isTransient && attempt < configuration.retry.maximumAttempts {
                try await Task.sleep(for: configuration.retry.delay(afterAttempt: attempt))
                attempt += 1
            }
        }
    }

    private func daemonEngine(doing verb: String) async throws -> EngineClient {
        guard let docker = containerBackend as? DockerBackend else {
            throw ClientError(.unsupported, "\(verb) through a Docker daemon needs the docker backend (--backend docker)")
        }
        return try await docker.engine()
    }

    /// The `X-Registry-Auth` value for `reference`'s registry from Hoist's credentials (none
    /// when it keeps none).
    func registryAuth(for reference: Reference, _ configuration: RegistryConfiguration) throws -> String? {
        let host = RegistryKey.hostname(of: reference.domain)
        guard let credential = try configuration.credentials.credential(forHost: host) else { return nil }
        return EngineClient.registryAuth(
            username: credential.username, password: credential.identityToken == nil ? credential.password : nil,
            identityToken: credential.identityToken, serverAddress: host)
    }
}

extension DaemonTransferProgress {
    init(_ message: EngineProgressMessage) {
        self.init(
            item: message.id, status: message.status ?? message.error ?? "", completed: message.progressDetail?.current,
            total: message.progressDetail?.total)
    }
}
