import Foundation
import HoistBackend
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistRegistry

/// Resolves `FROM` and `COPY --from` images for a build on the docker backend: the images are
/// the daemon's (pulled through it as the pull policy says), brought into Hoist's store once —
/// an image whose ID the store already holds is not fetched again — and noted as the daemon
/// image of their layer chain, so a `RUN` on them starts from the daemon's own image.
actor DaemonImageSource: ImageSource {
    let images: StoreImages
    let engine: EngineClient
    let policy: PullPolicy
    let daemonImages: DaemonImages
    /// Credentials and retries of pulls, as native pulls have them.
    let configuration: RegistryConfiguration
    private var resolved: [Request: (config: ImageConfig, layers: [LayerRef])] = [:]

    private struct Request: Hashable {
        let reference: String
        let platform: Platform?
    }

    /// The longest one try of a pull through the daemon may take.
    static let pullTimeout: Duration = .seconds(30 * 60)

    init(images: StoreImages, engine: EngineClient, policy: PullPolicy, daemonImages: DaemonImages,
         configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.images = images
        self.engine = engine
        self.policy = policy
        self.daemonImages = daemonImages
        self.configuration = configuration
    }

    func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
        let request = Request(reference: reference, platform: platform)
        if let known = resolved[request] { return known }
        var details = policy == .always ? nil : try? await engine.inspectImage(reference)
        if details == nil, policy != .never {
            try await DockerBackend.pullBaseImage(
                try StoreImages.parseReference(reference), platform: platform, engine: engine, configuration: configuration,
                timeout: Self.pullTimeout)
        }
        if details == nil {
            do {
                details = try await engine.inspectImage(reference)
            } catch let error as EngineError where error.code == .notFound {
                throw ClientError(.notFound, "base image \(reference) is not in the Docker daemon (docker pull or docker load it first)")
            }
        }
        guard let id = details?.id else { throw ClientError(.internal, "the daemon described image \(reference) without an ID") }
        let image = try await localCopy(of: id)
        let diffIDs = image.config.rootfs.diffIDs
        guard diffIDs.count == image.manifest.layers.count else {
            throw ClientError(.dataLoss, "image \(reference): its config lists \(diffIDs.count) layers, its manifest \(image.manifest.layers.count)")
        }
        let layers = zip(image.manifest.layers, diffIDs).map { LayerRef(diffID: $1, blob: $0) }
        await daemonImages.record(layers, image: id)
        resolved[request] = (image.config, layers)
        return (image.config, layers)
    }

    /// The store's image of daemon image `id` (whose ID is its config's digest), saved from
    /// the daemon and loaded when the store lacks it.
    private func localCopy(of id: String) async throws -> LocalImage {
        if let image = try? images.resolve(id), image.configDigest.description == id { return image }
        let archive = images.store.root.temporary.appendingPathComponent("daemon-image-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: archive) }
        try await engine.saveImage(id, to: archive)
        _ = try images.load(archive: archive)
        return try images.resolve(id)
    }
}
