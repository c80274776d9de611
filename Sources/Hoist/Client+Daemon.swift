public import HoistRegistry
import HoistDocker
import Foundation

extension Client {
    /// Hands a whole build to the Docker daemon's own builder (`hoist build --backend docker
    /// --delegate`), with each line of its output to `output`; returns the image ID, which is
    /// the daemon's. `unsupported` on the native backend.
    public func delegateBuild(_ options: BuildOptions, output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> String {
        try await daemonBackend(doing: "--delegate (a build by the Docker daemon's own builder)").delegateBuild(options, output: output)
    }

    /// Pulls `name` into the Docker daemon of the docker backend (`hoist --backend docker pull`),
    /// with the credential Hoist keeps for its registry (Docker's config file or credential
    /// helper); returns the image's ID in the daemon.
    ///
    /// - Throws: ``ClientError`` `unsupported` on another backend; the daemon's error, verbatim.
    public func pullThroughDaemon(
        _ name: String, configuration: RegistryConfiguration = RegistryConfiguration(),
        progress: @escaping @Sendable (DaemonTransferProgress) -> Void = { _ in }
    ) async throws -> String {
        try await daemonBackend(doing: "pull through a Docker daemon").pull(name, configuration: configuration, progress: progress)
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
        try await daemonBackend(doing: "push through a Docker daemon").push(
            name, to: destination, configuration: configuration, progress: progress)
    }

    /// The docker backend, or `unsupported` naming what needed it.
    private func daemonBackend(doing what: String) throws -> DockerBackend {
        guard let dockerBackend else { throw ClientError(.unsupported, "\(what) needs the docker backend (--backend docker)") }
        return dockerBackend
    }
}
