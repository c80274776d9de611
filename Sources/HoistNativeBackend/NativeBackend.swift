public import Foundation
public import HoistBackend
import HoistDocker
public import HoistOCI
public import HoistRegistry
import HoistRuntime
public import HoistStore

/// The native backend: Hoist's own store and the runc/crun runtime, with no daemon. Kept
/// containers, volumes and networks are records and directories in the store; running
/// containers are runtime processes found again by their ID.
///
/// Lifecycle: made from an open ``Store`` at no cost (it holds nothing but the store), used from
/// any task, and dropped without closing; each call opens what it needs (the snapshotter, the
/// runtime's state directory) and leaves it consistent when it returns or throws.
public struct NativeBackend: ContainerBackend {
    /// The store images, containers, volumes and networks live in.
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// The store's images, found by name or ID, loaded and saved.
    var storeImages: StoreImages { StoreImages(store: store) }

    /// Finds the image that `name` designates, or throws `notFound` / `invalidArgument`.
    func resolve(_ name: String) throws -> LocalImage { try storeImages.resolve(name) }

    /// The image `name` for `platform` (nil: as it resolves for this host) that a container
    /// runs: a foreign one is refused now, in one line, rather than failing at its first exec.
    func resolveRunnable(_ name: String, platform: Platform?) throws -> LocalImage {
        let local = try storeImages.resolve(name, platform: platform)
        let imagePlatform = local.config.platform
        if !imagePlatform.architecture.isEmpty, imagePlatform.normalized != Platform.host.normalized {
            try PlatformSupport().checkRunnable(imagePlatform)
        }
        return local
    }

    public func imageExists(_ name: String, platform: Platform?) async -> Bool {
        (try? storeImages.resolve(name, platform: platform)) != nil
    }
    public func pullImage(_ name: String, platform: Platform?, configuration: RegistryConfiguration,
                          progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await storeImages.pull(name, platform: platform, configuration: configuration) { progress(.blob($0)) }
        return ImageTransfer(reference: result.reference, digest: result.manifest.digestString, size: result.manifest.size)
    }
    /// Pulls `name` with every platform of its index (`hoist pull --all-platforms`): the store
    /// names the whole index, and each platform's image can be run or built from.
    public func pullAllPlatforms(_ name: String, configuration: RegistryConfiguration,
                                 progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await storeImages.pull(name, platform: nil, allPlatforms: true, configuration: configuration) { progress(.blob($0)) }
        let named = result.index ?? result.manifest
        return ImageTransfer(reference: result.reference, digest: named.digestString, size: named.size)
    }

    public func pushImage(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                          progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await storeImages.push(name, to: destination, configuration: configuration) { progress(.blob($0)) }
        return ImageTransfer(reference: result.reference, digest: result.target.digestString, size: result.target.size)
    }
    public func loadFromStore(_ name: String, store: Store) async throws { _ = try resolve(name) }
    public func buildPlacement(_ request: BuildPlacementRequest) async throws -> any BuildPlacement {
        // `--load` puts the image into the Docker daemon DOCKER_HOST names.
        StorePlacement(request: request) { [store] image in
            try await DockerBackend.load(image, from: store)
        }
    }
    public func images(filters: [String]) async throws -> [ImageSummary] { try storeImages(filters: filters) }
    public func removeImage(_ name: String, force: Bool) async throws -> [ImageRemoval] { try removeStoreImage(name, force: force) }
    public func pruneImages(all: Bool, filters: [String]) async throws -> PruneReport { try pruneStoreImages(all: all, filters: filters) }
    public func saveImages(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                           progress: @escaping TransferProgressHandler) async throws {
        try storeImages.save(names, format: format, to: destination, progress: progress)
    }
    public func loadImages(from archive: URL, progress: @escaping TransferProgressHandler) async throws -> [ImageSummary] {
        try storeImages.load(archive: archive, progress: progress)
    }
    public func copyIn(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        try copyIntoStoredContainer(id, from: source, to: destination, archive: archive)
    }
    public func copyOut(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        try copyOutOfStoredContainer(id, from: source, to: destination)
    }
    // The container verbs are the extensions' own (NativeBackend+Containers and its neighbours).
}
