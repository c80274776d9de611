import Foundation
package import HoistBackend
import HoistBuild
import HoistDockerEngine
import HoistOCI
package import HoistStore

/// A build on a Docker Engine: base images are the daemon's (pulled through it), every step
/// runs there (``DockerWorker``), and the image is the daemon's at the end under its tags.
/// What the build committed or loaded into the daemon on the way goes when it finishes.
struct DockerPlacement: BuildPlacement {
    let engine: EngineClient
    let daemonImages: DaemonImages
    let request: BuildPlacementRequest
    let imageSource: any ImageSource

    init(engine: EngineClient, request: BuildPlacementRequest) {
        self.engine = engine
        self.request = request
        daemonImages = DaemonImages(engine: engine, store: request.store)
        imageSource = DaemonImageSource(
            images: StoreImages(store: request.store), engine: engine, policy: request.pullPolicy, daemonImages: daemonImages,
            configuration: request.registry)
    }

    func worker(local: NativeWorker) -> any Worker {
        DockerWorker(
            local: local, engine: engine, daemonImages: daemonImages, sourceDateEpoch: local.sourceDateEpoch, limits: request.limits)
    }

    func imageID(_ reference: String) async throws -> String? {
        do {
            return try await engine.inspectImage(reference).id
        } catch let error as EngineError where error.code == .notFound {
            return nil
        }
    }

    func publish(_ image: BuiltImage) async throws {
        _ = try await daemonImages.publish(config: image.config, layers: image.layers, tags: image.tags.map(\.familiarString))
    }

    func finish(keeping: [String]) async {
        await daemonImages.removeMade(keeping: Set(keeping))
    }
}

extension DockerBackend {
    /// Loads `image` of Hoist's `store` into the Docker daemon `DOCKER_HOST` names (`hoist
    /// build --load` on another backend), only the layers the daemon lacks.
    ///
    /// - Throws: ``EngineError`` when no daemon answers or it refuses the image (its message).
    package static func load(_ image: BuiltImage, from store: Store) async throws {
        let engine = try await EngineClient.connect()
        do {
            try await load(image, from: store, into: engine)
        } catch {
            try? await engine.shutdown()
            throw error
        }
        try await engine.shutdown()
    }

    /// Puts the store's image `name` into this backend's daemon under that name.
    package func loadFromStore(_ name: String, store: Store) async throws {
        let images = StoreImages(store: store)
        let image = try images.resolve(name)
        let layers = zip(image.manifest.layers, image.config.rootfs.diffIDs).map { LayerRef(diffID: $1, blob: $0) }
        try await Self.load(
            BuiltImage(id: image.configDigest, config: try store.content.data(image.configDigest), layers: layers,
                       tags: [try StoreImages.parseReference(name)]),
            from: store, into: try await engine())
    }

    private static func load(_ image: BuiltImage, from store: Store, into engine: EngineClient) async throws {
        _ = try await DaemonImages(engine: engine, store: store).publish(
            config: image.config, layers: image.layers, tags: image.tags.map(\.familiarString))
    }
}
