public import Foundation
public import HoistBuild
public import HoistRegistry

/// Where ``Client/image(_:_:)`` gets an image: the store, a registry, or a build.
public struct ImageOptions: Sendable {
    /// When to pull the image from its registry (not used when ``build`` is set): `.missing`
    /// (the default) pulls only when the store does not have it.
    public var pullPolicy: PullPolicy
    /// Builds the image under the name instead of looking it up or pulling it.
    public var build: ImageBuild?
    /// `--build-arg`s for the build.
    public var buildArguments: [String: String]
    /// The stage to build (`--target`).
    public var target: String?
    /// Where build progress goes.
    public var progress: ProgressReporter
    /// How registries are reached for a pull.
    public var registry = RegistryConfiguration()

    public init(pullPolicy: PullPolicy = .missing, build: ImageBuild? = nil, buildArguments: [String: String] = [:],
                target: String? = nil, progress: ProgressReporter = .discard) {
        self.pullPolicy = pullPolicy
        self.build = build
        self.buildArguments = buildArguments
        self.target = target
        self.progress = progress
    }

    /// Build the image from `build`.
    public static func build(_ build: ImageBuild) -> ImageOptions {
        ImageOptions(build: build)
    }
}

/// What an image is built from.
public enum ImageBuild: Sendable {
    /// A Dockerfile's text, with `context` as its build context (none: an empty one).
    case dockerfile(String, context: URL? = nil)
    /// A context directory and its Dockerfile (default: `Dockerfile` in it).
    case directory(URL, dockerfile: String? = nil)
    /// A context as a tar (plain, gzip or zstd), as `docker build -` reads one, with its
    /// Dockerfile's path inside it (default: `Dockerfile`).
    case contextArchive(Data, dockerfile: String? = nil)
    /// The same, streamed: chunks of a tar.
    case contextStream(AsyncThrowingStream<Data, any Error>, dockerfile: String? = nil)
}
