public import Foundation
public import HoistBuild
public import HoistOCI
public import HoistRegistry

/// What an S2I build needs of the machine and the backend it runs on: the images it holds, a
/// pull, a file read out of an image, the build engine, a container run, and a git checkout.
/// `Client` gives one for its backend (native store and runc, or a Docker daemon); the S2I
/// logic — which images, which scripts, which users, what graph — stays in ``S2IBuilder``.
///
/// Calls may come from any task. None of them retries or times out: ``S2IBuilder`` applies
/// S2I's retries and its API timeout around them.
public protocol S2IHost: Sendable {
    /// The backend's image `reference` (its ID and config), or nil when the backend lacks it.
    /// Never pulls.
    func image(_ reference: String) async throws -> S2IImage?

    /// Pulls `reference` into the backend once, with `registry`'s settings and credentials;
    /// `activity` is called whenever the transfer makes progress.
    func pull(_ reference: String, registry: RegistryConfiguration, activity: @escaping @Sendable () -> Void) async throws

    /// What `path` is in the backend's image `reference` (symbolic links followed inside the
    /// image), with a regular file's contents; nil when there is nothing there.
    func file(_ path: String, in reference: String) async throws -> S2IImageFile?

    /// The state a Dockerfile `FROM image` gives with `context` as the build context: the
    /// image's ONBUILD triggers (Dockerfile instructions) applied.
    func onBuildState(of image: String, context: URL) async throws -> BuildState

    /// Whether the build cache mount `id` holds the file `path` (relative to the mount).
    func cacheMount(_ id: String, contains path: String) async -> Bool

    /// Solves `state` on the backend and writes its image, named `settings.tags`. Before the
    /// image is written, `finishing` may read the result's files and returns the state whose
    /// config the image gets (the same graph, other settings).
    func build(_ state: BuildState, _ settings: S2IBuildSettings,
               finishing: @escaping @Sendable (_ readFile: @escaping S2IFileReader) async throws -> BuildState) async throws -> S2IImage

    /// Runs a container of `image` to its end, output streamed; returns its exit code.
    func run(_ image: String, _ spec: S2IRunSpec, output: @escaping @Sendable (ProgressEvent.Stream, Data) -> Void) async throws -> Int32

    /// Removes the backend's image `id`.
    func removeImage(_ id: String) async throws

    /// Checks out git `repository` at `ref` (its default branch when nil) into `directory`,
    /// without `.git`, and returns the commit.
    func checkOut(_ repository: String, ref: String?, into directory: URL) async throws -> S2ICommit
}

/// A path of an image, as ``S2IHost/file(_:in:)`` finds it.
public enum S2IImageFile: Sendable, Hashable {
    case regular(Data)
    case directory
    /// A device, socket, fifo or a link that leads nowhere.
    case other
}

/// Reads a file of a build's result: its bytes, or nil when there is no regular file there.
public typealias S2IFileReader = @Sendable (String) throws -> Data?

/// An image a backend holds.
public struct S2IImage: Sendable, Hashable {
    /// Its ID (the config's digest).
    public var id: String
    public var config: ImageConfig

    public init(id: String, config: ImageConfig) {
        self.id = id
        self.config = config
    }
}

/// How ``S2IHost/build(_:_:finishing:)`` builds.
public struct S2IBuildSettings: Sendable {
    /// Names for the image.
    public var tags: [String]
    /// The directories the graph's local sources name.
    public var localDirectories: [String: URL]
    /// Limits of every step that runs a command.
    public var memoryBytes: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var capabilitiesDropped: [String]
    /// Where the steps' progress goes.
    public var progress: ProgressReporter

    public init(tags: [String], localDirectories: [String: URL], memoryBytes: Int64? = nil, cpuQuota: Int64? = nil,
                cpuPeriod: UInt64? = nil, capabilitiesDropped: [String] = [], progress: ProgressReporter = .discard) {
        self.tags = tags
        self.localDirectories = localDirectories
        self.memoryBytes = memoryBytes
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.capabilitiesDropped = capabilitiesDropped
        self.progress = progress
    }
}

/// A container ``S2IHost/run(_:_:output:)`` runs.
public struct S2IRunSpec: Sendable, Hashable {
    /// A file or directory of this machine shown read-only in the container.
    public struct Bind: Sendable, Hashable {
        public var host: String
        public var container: String

        public init(host: String, container: String) {
            self.host = host
            self.container = container
        }
    }

    /// The command; the image's CMD when nil.
    public var command: [String]?
    /// The entrypoint; the image's when nil, none when empty.
    public var entrypoint: [String]?
    public var user: String?
    public var network: NetworkMode
    public var memoryBytes: Int64?
    public var capabilitiesDropped: [String]
    public var binds: [Bind] = []

    public init(command: [String]? = nil, entrypoint: [String]? = nil, user: String? = nil, network: NetworkMode = .host,
                memoryBytes: Int64? = nil, capabilitiesDropped: [String] = []) {
        self.command = command
        self.entrypoint = entrypoint
        self.user = user
        self.network = network
        self.memoryBytes = memoryBytes
        self.capabilitiesDropped = capabilitiesDropped
    }
}
