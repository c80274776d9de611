public import Foundation
public import HoistOCI
import HoistStore

extension Client {
    /// Loads a Docker archive (`docker save`) or an OCI-layout tar, plain or compressed, onto
    /// the client's backend (the store natively, the daemon on docker) and names its images as
    /// the archive does, as `docker load` does. Returns what was loaded; `progress` is told of
    /// each file as it is read where Hoist reads the archive.
    public func load(archive: URL, progress: @escaping TransferProgressHandler = { _ in }) async throws -> [ImageSummary] {
        try await containerBackend.loadImages(from: archive, progress: progress)
    }
}
