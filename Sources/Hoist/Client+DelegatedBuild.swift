import Foundation
import HoistDocker

extension Client {
    /// Hands a whole build to the Docker daemon's own builder (`hoist build --backend docker
    /// --delegate`), with each line of its output to `output`; returns the image ID, which is
    /// the daemon's. `unsupported` on another backend.
    public func delegateBuild(_ options: BuildOptions, output: @escaping @Sendable (String) -> Void = { _ in }) async throws -> String {
        guard let dockerBackend else {
            throw ClientError(.unsupported, "--delegate hands a build to the Docker daemon's own builder: use it with --backend docker")
        }
        return try await dockerBackend.delegateBuild(options, output: output)
    }
}
