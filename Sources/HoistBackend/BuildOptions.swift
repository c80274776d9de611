public import Foundation
public import HoistBuild
public import HoistRegistry
public import HoistOCI

/// What `hoist build` (and ``Client/build(_:)``) is asked to do.
public struct BuildOptions: Sendable {
    /// The build context directory.
    public var context: URL
    /// The Dockerfile; `context/Dockerfile` when nil.
    public var dockerfile: URL?
    /// Names for the image (`-t`), normalised as references.
    public var tags: [String]
    /// `--build-arg NAME=value`.
    public var buildArguments: [String: String]
    /// `--target`: the stage to build; the last one when nil.
    public var target: String?
    /// `--no-cache`.
    public var noCache: Bool
    /// `--label`.
    public var labels: [String: String]
    /// `--secret id=…,src=…`: secret ids and the files that hold them.
    public var secrets: [String: String]
    /// `--ssh id=SOCKET`: SSH agents by id and their sockets, for `RUN --mount=type=ssh`.
    public var sshAgents: [String: String] = [:]
    /// `--allow security.insecure`.
    public var allowInsecure: Bool
    /// `--allow network.host`: `RUN --network=host` may share the host's network.
    public var allowHostNetwork = false
    /// Where progress goes.
    public var progress: ProgressReporter
    /// Extra destinations for the result (`--output`).
    public var outputs: [BuildOutput] = []
    /// `SOURCE_DATE_EPOCH`: file and image times clamped to it, so the same inputs give the
    /// same image bytes.
    public var sourceDateEpoch: Int64?
    /// `--build-context name=DIR` (a directory) or `name=docker-image://REF` (an image).
    public var buildContexts: [String: String] = [:]
    /// `--no-cache-filter`: stages whose steps run even when cached.
    public var noCacheStages: [String] = []
    /// `--network`: the network of RUN steps that do not say (default: a namespace of their own
    /// on the default bridge network; `host` or `none` when asked).
    public var defaultNetwork: NetworkMode = .sandbox
    /// `--platform`: the platforms to build for. None builds for this host without naming it;
    /// one sets the predefined ARGs and the image's platform; several build one image each,
    /// sharing what does not depend on the platform, joined in one OCI index under the tags.
    public var platforms: [Platform] = []
    /// `--builder-node PLATFORM=ADDRESS`: Docker Engines that run the `RUN` steps of their
    /// platform instead of this machine (each platform at most one, each among ``platforms``).
    public var builderNodes: [BuilderNode] = []
    /// `--pull`: when base images are fetched from their registry (default: when missing).
    public var pullPolicy: PullPolicy = .missing
    /// `--memory`, `--cpu-quota`, `--cpu-period` (and S2I's `--cap-drop`) for every RUN step.
    public var stepLimits: StepLimits = .none
    /// Also load the image into the Docker daemon `DOCKER_HOST` names — on the containerd
    /// backend into containerd — under the tags (`--load`); a build on the docker backend
    /// always does.
    public var loadIntoDocker = false
    /// `--cache-from`: caches from elsewhere whose step results the build may take, after the
    /// store's own; one that cannot be read is a warning.
    public var cacheImports: [CacheImport] = []
    /// `--cache-to`: where the build writes its cache once the image is made.
    public var cacheExports: [CacheExport] = []
    /// Credentials, TLS and retries for `type=registry` caches.
    public var registry = RegistryConfiguration()
    /// `--isolation`: how RUN steps are isolated; ``BuildIsolation/pod`` rewrites the
    /// container hoist runs in.
    public var isolation: BuildIsolation = .default

    public init(context: URL, dockerfile: URL? = nil, tags: [String] = [], buildArguments: [String: String] = [:],
                target: String? = nil, noCache: Bool = false, labels: [String: String] = [:], secrets: [String: String] = [:],
                allowInsecure: Bool = false, progress: ProgressReporter = .discard) {
        self.context = context
        self.dockerfile = dockerfile
        self.tags = tags
        self.buildArguments = buildArguments
        self.target = target
        self.noCache = noCache
        self.labels = labels
        self.secrets = secrets
        self.allowInsecure = allowInsecure
        self.progress = progress
    }
}
