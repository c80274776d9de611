public import Foundation
import HoistBuild
import HoistDockerfile
import HoistRegistry
public import HoistOCI

/// A Dockerfile build turned into its graph, with what solving it needs.
struct DockerfileConversion {
    var plan: DockerfileBuildPlan
    /// The context directory, standardised.
    var context: String
    /// `--build-context name=DIR` directories.
    var namedContexts: [String: String]
    var images: any ImageSource
    /// SOURCE_DATE_EPOCH, from the options or the build arguments.
    var sourceDateEpoch: Int64?
}

extension Client {
    /// Parses the Dockerfile of `options` and converts it to a build graph (nothing runs).
    /// Base images come from `images` (default: the backend's, pulled as the options say).
    func convertDockerfile(_ options: BuildOptions, images: (any ImageSource)? = nil) async throws -> DockerfileConversion {
        let contextPath = options.context.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contextPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError(.notFound, "build context \(contextPath) is not a directory")
        }
        let dockerfilePath = options.dockerfile?.path ?? contextPath + "/Dockerfile"
        guard let text = try? String(contentsOfFile: dockerfilePath, encoding: .utf8) else {
            throw ClientError(.notFound, "cannot read the Dockerfile \(dockerfilePath)")
        }
        let dockerfile = try Dockerfile.parse(text, fileName: (dockerfilePath as NSString).lastPathComponent)
        let ignorePath = DockerIgnoreFile.locate(dockerfile: dockerfilePath, context: contextPath)
        let excludes = ignorePath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(DockerIgnoreFile.patterns) ?? []

        let images = if let images { images } else { try await imageSource(pullPolicy: options.pullPolicy) }
        var arguments = BuildArguments(values: options.buildArguments)
        if let platform = options.platform {
            guard let target = PlatformSpecifier(platform) else {
                throw ClientError(.invalidArgument, "invalid --platform \(platform): expected os/arch[/variant]")
            }
            arguments.targetPlatform = target
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
        var converter = try DockerfileConverter(
            dockerfile: dockerfile, arguments: arguments, images: images,
            contextExcludes: excludes, labels: options.labels, allowInsecure: options.allowInsecure)
        converter.namedContexts = Set(namedContexts.keys)
        converter.contextImages = contextImages
        converter.defaultNetwork = options.defaultNetwork
        let plan = try await converter.convert(target: options.target)
        return DockerfileConversion(
            plan: plan, context: contextPath, namedContexts: namedContexts, images: images,
            sourceDateEpoch: options.sourceDateEpoch ?? options.buildArguments["SOURCE_DATE_EPOCH"].flatMap { Int64($0) })
    }

    /// Where a build on this client's backend takes its base images: the store (pulling from
    /// registries), or on the docker backend the daemon (pulling through it).
    func imageSource(pullPolicy: PullPolicy, daemonImages: DaemonImages? = nil) async throws -> any ImageSource {
        guard let docker = containerBackend as? DockerBackend else { return StoreImageSource(client: self, policy: pullPolicy) }
        let engine = try await docker.engine()
        return DaemonImageSource(
            client: self, engine: engine, policy: pullPolicy, daemonImages: daemonImages ?? DaemonImages(engine: engine, store: store))
    }

    /// The build graph of the Dockerfile in `options`, as JSON (`hoist build --print-graph`):
    /// stable digests, the same for the same build however it is written.
    public func buildGraph(_ options: BuildOptions) async throws -> Data {
        let conversion = try await convertDockerfile(options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(BuildGraphDocument(conversion.plan.target))
    }

    /// The digest of the vertex the Dockerfile in `options` builds.
    public func buildGraphDigest(_ options: BuildOptions) async throws -> Digest {
        try await convertDockerfile(options).plan.target.digest
    }
}
