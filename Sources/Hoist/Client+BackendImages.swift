import Foundation
import HoistOCI
import HoistDockerEngine

/// Images as the client's backend holds them: containerd's own on the containerd backend, the
/// store's otherwise (the docker backend's daemon has its commands for its own), and the way
/// from the store into the backend (`hoist build --load`).
extension Client {
    /// Copies image `name` from the store into the backend's own image store under the same
    /// name: for containerd, its blobs into the content store, an image record, and its
    /// layers unpacked; for docker, through `docker load`. Nothing to do on the native backend.
    public func loadIntoBackend(_ name: String) async throws {
        switch backend {
        case .native:
            _ = try resolve(name)
        case .containerd:
            try await containerd.load(name)
        case .docker:
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-load-\(UUID().uuidString).tar")
            defer { try? FileManager.default.removeItem(at: scratch) }
            try save([name], to: scratch)
            try await EngineClient.connect().loadImages(from: scratch)
        }
    }

    /// containerd's images on the containerd backend, by name; the store's otherwise.
    public func backendImages() async throws -> [ImageSummary] {
        backend == .containerd ? try await containerd.imageSummaries() : try images()
    }

    /// Takes name `name` off its image (an image ID: every name), in containerd on the
    /// containerd backend, in the store otherwise; `failedPrecondition` when a container uses it.
    public func removeBackendImage(_ name: String, force: Bool = false) async throws -> [ImageRemoval] {
        backend == .containerd ? try await containerd.removeImage(name) : try removeImage(name, force: force)
    }

    /// Removes the images no container uses — unnamed ones, or with `all` every one — in
    /// containerd on the containerd backend (whose garbage collector then takes their content
    /// and snapshots), in the store otherwise.
    public func pruneBackendImages(all: Bool = false) async throws -> PruneReport {
        backend == .containerd ? try await containerd.pruneImages(all: all) : try pruneImages(all: all)
    }
}
