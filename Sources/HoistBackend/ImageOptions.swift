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
    /// When a pull fails (an unreachable registry, a refused login …) but the store has the
    /// image, use that image instead of failing; the registry's error is then in
    /// `Image.pullFailure`. With `.always` this is "the latest, else the one I have"
    /// (``latestOrLocal``).
    public var fallsBackToLocalImage = false
    /// With ``build``: build even when an image of that name is already there. Without it, a
    /// build happens only when the name is missing.
    public var forceRebuild = false
    /// With ``build``: when a build happens, run every step again instead of reusing cached
    /// results (`--no-cache`). It does not by itself make an existing image be built again:
    /// ``forceRebuild`` does.
    public var noCache = false

    public init(pullPolicy: PullPolicy = .missing, build: ImageBuild? = nil, buildArguments: [String: String] = [:],
                target: String? = nil, progress: ProgressReporter = .discard) {
        self.pullPolicy = pullPolicy
        self.build = build
        self.buildArguments = buildArguments
        self.target = target
        self.progress = progress
    }

    /// Build the image from `build` when it is missing (see ``forceRebuild`` and ``noCache``).
    public static func build(_ build: ImageBuild, forceRebuild: Bool = false, noCache: Bool = false) -> ImageOptions {
        var options = ImageOptions(build: build)
        options.forceRebuild = forceRebuild
        options.noCache = noCache
        return options
    }

    /// Pull the newest image under the name; when the registry fails, use the one in the store
    /// and report the registry's error with it (`Image.pullFailure`). Without a local image
    /// the registry's error is thrown.
    public static var latestOrLocal: ImageOptions {
        var options = ImageOptions(pullPolicy: .always)
        options.fallsBackToLocalImage = true
        return options
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
