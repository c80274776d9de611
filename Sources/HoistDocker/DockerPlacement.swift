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
    /// Whether ``finish(keeping:)`` closes `engine` (a builder node's, connected for one build).
    var closesEngine = false

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
        if closesEngine { try? await engine.shutdown() }
    }
}

extension DockerBackend {
    /// A placement on builder node `node`'s engine for one build: its worker runs the steps it
    /// is given there (``DockerWorker``) and brings their layers into `request`'s store; what
    /// the build made on the node goes at ``BuildPlacement/finish(keeping:)``.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument` for an address Hoist cannot use,
    ///   `unavailable` when no engine answers there), one line naming the node's address.
    package static func nodePlacement(_ node: BuilderNode, request: BuildPlacementRequest) async throws -> any BuildPlacement {
        let named = "--builder-node \(node.platform)="
        let host: DockerHost
        do {
            host = try DockerHost(address: node.address, named: named)
        } catch {
            throw ClientError(.invalidArgument, "\(error)", underlying: error)
        }
        let engine: EngineClient
        do {
            engine = try await EngineClient.connect(host)
        } catch {
            let reason = host.connectionProblem() ?? "\(error)".split(separator: "\n").first.map(String.init) ?? "no answer"
            // Without the cause: its advice (DOCKER_HOST, the native backend) is for the backend's daemon, not a node.
            throw ClientError(.unavailable, "builder node \(node.platform): no Docker Engine answers at \(node.address) (\(reason))")
        }
        var placement = DockerPlacement(engine: engine, request: request)
        placement.closesEngine = true
        return placement
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
