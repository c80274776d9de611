public import Foundation
public import HoistBuild
public import HoistOCI
public import HoistRegistry
public import HoistStore

/// What a build needs of the backend it runs on: where its base images come from, the worker
/// that runs its steps, and where the finished image goes. The rest of a build — frontend,
/// solver, cache, exporters — is the same on every backend and lives in Hoist's store.
///
/// Lifecycle: a backend makes one placement per build (``ContainerBackend/buildPlacement(_:)``).
/// Its ``imageSource`` serves the frontend and the solver while the graph is converted and
/// solved, on the worker ``worker(local:)`` returns; when the build succeeded, ``publish(_:)``
/// gets the image (already written to the store) once; ``finish(keeping:)`` comes last on
/// every way out, success or failure, and removes what the build made on the backend that the
/// image does not need. A placement is not used after `finish`.
public protocol BuildPlacement: Sendable {
    /// Where `FROM` and `COPY --from` images come from, pulled as the request's policy says.
    var imageSource: any ImageSource { get }
    /// The worker the solver runs steps on; `local` (the native worker over Hoist's store) does
    /// what needs no container: sources, checksums, the host side of mounts. Its
    /// `sourceDateEpoch` is the build's.
    func worker(local: NativeWorker) -> any Worker
    /// The backend's ID of image `reference` (its config's digest), nil when it has no such
    /// image; nothing is pulled.
    func imageID(_ reference: String) async throws -> String?
    /// Makes the built image the backend's, under `image.tags`.
    func publish(_ image: BuiltImage) async throws
    /// Ends the build: what it made on the backend goes, but for the images `keeping` names.
    func finish(keeping: [String]) async
}

/// What a backend is told when it makes a ``BuildPlacement``.
public struct BuildPlacementRequest: Sendable {
    /// Hoist's store: the build's cache and the home of its layers on every backend.
    public var store: Store
    /// When base images are pulled.
    public var pullPolicy: PullPolicy
    /// Credentials, mirrors and retries for pulls.
    public var registry: RegistryConfiguration
    /// Limits of every `RUN` step.
    public var limits: StepLimits
    /// `--load`: the image goes to the backend's image store too, where that is not where it is built.
    public var loadIntoDocker: Bool

    public init(store: Store, pullPolicy: PullPolicy = .missing, registry: RegistryConfiguration = RegistryConfiguration(),
                limits: StepLimits = .none, loadIntoDocker: Bool = false) {
        self.store = store
        self.pullPolicy = pullPolicy
        self.registry = registry
        self.limits = limits
        self.loadIntoDocker = loadIntoDocker
    }
}

/// A finished build's image as ``BuildPlacement/publish(_:)`` gets it: in Hoist's store already.
public struct BuiltImage: Sendable {
    /// The image ID (its config's digest).
    public var id: Digest
    /// The config blob's bytes.
    public var config: Data
    /// Its layers, lowest first.
    public var layers: [LayerRef]
    /// The names it gets.
    public var tags: [Reference]

    public init(id: Digest, config: Data, layers: [LayerRef], tags: [Reference]) {
        self.id = id
        self.config = config
        self.layers = layers
        self.tags = tags
    }
}
