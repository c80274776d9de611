public import HoistOCI

/// What a ``BuildFrontend`` is asked to turn into a graph: the build's definition file and the
/// options the build was started with.
public struct FrontendRequest: Sendable {
    /// The definition's text (the whole Dockerfile, `# syntax=` line included).
    public var definition: String
    /// The definition's file name, for messages (`Dockerfile`).
    public var fileName: String
    /// The build context's directory; ``BuildState/local(_:include:exclude:)`` names it `context`.
    public var contextDirectory: String
    /// `--build-arg` values.
    public var buildArguments: [String: String]
    /// `--target`, if given.
    public var target: String?
    /// The platform to build for (one of `--platform`'s, each converted on its own), if given.
    public var platform: Platform?
    /// Resolves images (their configs, pulling by the build's policy) for a frontend that
    /// needs to know a base image's settings.
    public var images: any ImageSource
    /// The build itself, to solve parts of a graph, read their files and pin images while
    /// making the graph; nil when the caller that asks for the graph offers none.
    public var gateway: (any FrontendGateway)?

    public init(definition: String, fileName: String, contextDirectory: String, buildArguments: [String: String] = [:],
                target: String? = nil, platform: Platform? = nil, images: any ImageSource, gateway: (any FrontendGateway)? = nil) {
        self.definition = definition
        self.fileName = fileName
        self.contextDirectory = contextDirectory
        self.buildArguments = buildArguments
        self.target = target
        self.platform = platform
        self.images = images
        self.gateway = gateway
    }
}
