public import Foundation
public import HoistBuild
import HoistDockerfile
import HoistRegistry
public import HoistOCI

/// A Dockerfile build turned into its graph by its frontend, with what solving it needs.
struct DockerfileConversion {
    /// The graph, image config, history and warnings the frontend made.
    var state: BuildState
    /// The context directory, standardised.
    var context: String
    /// `--build-context name=DIR` directories.
    var namedContexts: [String: String]
    var images: any ImageSource
    /// SOURCE_DATE_EPOCH, from the options or the build arguments.
    var sourceDateEpoch: Int64?
}

extension Client {
    /// Reads the Dockerfile of `options` and has its frontend make the graph (nothing runs):
    /// the frontend registered under the name its `# syntax=` gives, else the built-in one.
    /// Base images come from `images` (default: the backend's, pulled as the options say).
    /// `definition` is the Dockerfile's text when it is not read from a file.
    /// `platform` is the one platform of `options.platforms` this conversion is for.
    func convertDockerfile(_ options: BuildOptions, images: (any ImageSource)? = nil, definition: String? = nil,
                           platform: Platform? = nil) async throws -> DockerfileConversion {
        let contextPath = options.context.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contextPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError(.notFound, "build context \(contextPath) is not a directory")
        }
        let dockerfilePath = options.dockerfile?.path ?? contextPath + "/Dockerfile"
        guard let text = definition ?? (try? String(contentsOfFile: dockerfilePath, encoding: .utf8)) else {
            throw ClientError(.notFound, "cannot read the Dockerfile \(dockerfilePath)")
        }
        var namedContexts: [String: String] = [:]
        var contextImages: [String: String] = [:]
        for (name, value) in options.buildContexts {
            if value.hasPrefix("docker-image://") {
                contextImages[name] = String(value.dropFirst("docker-image://".count))
            } else {
                let path = URL(fileURLWithPath: value).standardizedFileURL.path
                guard FileManager.default.fileExists(atPath: path) else {
                    throw ClientError(.notFound, "--build-context \(name)=\(value): no such directory")
                }
                namedContexts[name] = path
            }
        }
        let images = if let images { images } else { try await imageSource(pullPolicy: options.pullPolicy) }
        let gateway = ClientGateway(
            client: self,
            localDirectories: namedContexts.mapValues { URL(fileURLWithPath: $0) }.merging(["context": URL(fileURLWithPath: contextPath)]) { $1 },
            pullPolicy: options.pullPolicy, registry: options.registry, progress: options.progress)
        let request = FrontendRequest(
            definition: text, fileName: (dockerfilePath as NSString).lastPathComponent, contextDirectory: contextPath,
            buildArguments: options.buildArguments, target: options.target, platform: platform ?? options.platforms.first, images: images,
            gateway: gateway)

        let frontend: any BuildFrontend
        if let syntax = ParserDirectives.header(of: text).syntax, let registered = FrontendRegistry.frontend(named: syntax) {
            frontend = registered
        } else {
            let ignorePath = DockerIgnoreFile.locate(dockerfile: dockerfilePath, context: contextPath)
            var dockerfile = DockerfileFrontend()
            dockerfile.contextExcludes = ignorePath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(DockerIgnoreFile.patterns) ?? []
            dockerfile.labels = options.labels
            dockerfile.allowInsecure = options.allowInsecure
            dockerfile.allowHostNetwork = options.allowHostNetwork
            dockerfile.namedContexts = Set(namedContexts.keys)
            dockerfile.contextImages = contextImages
            // A named context's own `.dockerignore` filters it, as BuildKit's does.
            dockerfile.namedContextExcludes = namedContexts.compactMapValues { path in
                (try? String(contentsOfFile: path + "/.dockerignore", encoding: .utf8)).map(DockerIgnoreFile.patterns)
            }
            dockerfile.defaultNetwork = options.defaultNetwork
            dockerfile.namesPlatforms = options.platforms.count > 1
            dockerfile.baseImageEnvironment = storedImageEnvironment
            frontend = dockerfile
        }
        return DockerfileConversion(
            state: try await frontend.graph(request), context: contextPath, namedContexts: namedContexts, images: images,
            sourceDateEpoch: options.sourceDateEpoch ?? options.buildArguments["SOURCE_DATE_EPOCH"].flatMap { Int64($0) })
    }

    /// Where a build on this client's backend takes its base images: the store (pulling from
    /// registries), or on the docker backend the daemon (pulling through it).
    func imageSource(pullPolicy: PullPolicy) async throws -> any ImageSource {
        try await containerBackend.buildPlacement(BuildPlacementRequest(store: store, pullPolicy: pullPolicy)).imageSource
    }

    /// The environment of image `reference` if it is in the store (for the build checks).
    var storedImageEnvironment: @Sendable (String) -> [(name: String, value: String)]? {
        { [self] reference in
            guard let image = try? resolve(reference) else { return nil }
            return DockerfileConverter.environment(image.config.config?.env)
        }
    }

    /// The build `options` describe as a ``BuildState``, made by the frontend its Dockerfile's
    /// `# syntax=` names (else the built-in Dockerfile frontend), warnings included: solve it
    /// with the context as `context`, export it, or go on from it in code.
    public func buildState(_ options: BuildOptions) async throws -> BuildState {
        try await convertDockerfile(options).state
    }

    /// The build graph of the Dockerfile in `options`, as JSON (`hoist build --print-graph`):
    /// stable digests, the same for the same build however it is written.
    public func buildGraph(_ options: BuildOptions) async throws -> Data {
        let conversion = try await convertDockerfile(options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(BuildGraphDocument(conversion.state.vertex))
    }

    /// The digest of the vertex the Dockerfile in `options` builds.
    public func buildGraphDigest(_ options: BuildOptions) async throws -> Digest {
        try await convertDockerfile(options).state.vertex.digest
    }
}
