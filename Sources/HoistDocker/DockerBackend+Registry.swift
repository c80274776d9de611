import Foundation
package import HoistBackend
import HoistDockerEngine
package import HoistOCI
package import HoistRegistry

/// Pulls and pushes the daemon makes, with the credentials Hoist keeps for each registry
/// (Docker's config file or credential helper) sent as the Engine API's `X-Registry-Auth`.
extension DockerBackend {
    /// Pulls `name` into the daemon (`hoist --backend docker pull`) for `platform` (nil: the
    /// daemon's own); returns the image's ID there.
    package func pull(_ name: String, platform: Platform? = nil, configuration: RegistryConfiguration,
                      progress: @escaping @Sendable (DaemonTransferProgress) -> Void) async throws -> String {
        let engine = try await engine()
        let reference = try StoreImages.parseReference(name)
        try await engine.pullImage(
            reference.familiarString, registryAuth: try Self.registryAuth(for: reference, configuration),
            platform: platform?.description, progress: { progress(.init($0)) })
        return try await engine.inspectImage(reference.familiarString).id
    }

    /// Pushes the daemon's image `name` to `destination` (default: `name`, which must then be
    /// a registry reference).
    package func push(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                      progress: @escaping @Sendable (DaemonTransferProgress) -> Void) async throws -> DaemonPushResult {
        let engine = try await engine()
        let reference = try StoreImages.parseReference(destination ?? name)
        let tag = reference.digest == nil ? reference.tag ?? "latest" : nil
        if destination != nil {
            // The daemon pushes a name it has: the image gets the destination's first, as `docker tag` would.
            try await engine.tagImage(name, repository: reference.familiarName, tag: tag ?? "latest")
        }
        let pushed = try await engine.pushImage(
            reference.familiarName, tag: tag, registryAuth: try Self.registryAuth(for: reference, configuration),
            progress: { progress(.init($0)) })
        return DaemonPushResult(reference: reference.familiarString, digest: pushed?.digest, size: pushed?.size)
    }

    /// Pulls `reference` into the daemon `engine` for a build's base image, as native pulls
    /// are made: with the credential Hoist keeps for its registry, for `platform`, tried again
    /// after a transient failure as `configuration.retry` says, each try given at most
    /// `timeout`.
    static func pullBaseImage(_ reference: Reference, platform: Platform?, engine: EngineClient,
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

    /// The `X-Registry-Auth` value for `reference`'s registry from Hoist's credentials (none
    /// when it keeps none).
    static func registryAuth(for reference: Reference, _ configuration: RegistryConfiguration) throws -> String? {
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

/// What the daemon pushed, as its progress stream reports it.
package struct DaemonPushResult: Sendable, Hashable {
    package var reference: String
    /// The manifest's digest and size, as the daemon reports them.
    package var digest: String?
    package var size: Int64?
}
