public import Foundation

extension Client {
    /// Hands a whole build to the Docker daemon's own builder (`hoist build --backend docker
    /// --delegate`), with each line of its output to `output`; returns the image ID, which is
    /// the daemon's. `unsupported` on the native backend.
    public func delegateBuild(_ options: BuildOptions, output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> String {
        guard let docker = containerBackend as? DockerBackend else {
            throw ClientError(.unsupported, "--delegate hands a build to a Docker daemon: use it with --backend docker")
        }
        return try await docker.delegateBuild(options, output: output)
    }
}
