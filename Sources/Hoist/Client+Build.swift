import Foundation
import HoistBuild
import HoistDockerfile
import HoistOCI
import HoistRuntime
import HoistStore

extension Client {
    /// Builds the Dockerfile in `options` without a daemon and names the image with its tags.
    ///
    /// Steps run on snapshots of the store with runc; each step's result is cached by a key made
    /// of its definition and the content it reads, so an unchanged rebuild runs nothing.
    /// Throws `DockerfileError` (with file:line:col) for a bad Dockerfile, `BuildError` naming
    /// the failing step, its exit code and last output, and ``ClientError`` for bad options.
    @discardableResult
    public func build(_ options: BuildOptions) async throws -> ImageSummary {
        let contextPath = options.context.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contextPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError(.notFound, "build context \(contextPath) is not a directory")
        }
        let dockerfilePath = options.dockerfile?.path ?? contextPath + "/Dockerfile"
        guard let text = try? String(contentsOfFile: dockerfilePath, encoding: .utf8) else {
            throw ClientError(.notFound, "cannot read the Dockerfile \(dockerfilePath)")
        }
        let references = try options.tags.map { try parseReference($0) }
        let dockerfile = try Dockerfile.parse(text, fileName: (dockerfilePath as NSString).lastPathComponent)
        let ignorePath = DockerIgnoreFile.locate(dockerfile: dockerfilePath, context: contextPath)
        let excludes = ignorePath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(DockerIgnoreFile.patterns) ?? []

        let images = StoreImageSource(client: self)
        let converter = try DockerfileConverter(
            dockerfile: dockerfile, arguments: BuildArguments(values: options.buildArguments), images: images,
            contextExcludes: excludes, labels: options.labels, allowInsecure: options.allowInsecure)
        let plan = try await converter.convert(target: options.target)

        let worker = NativeWorker(
            store: store, snapshotter: try store.snapshotter(), images: images, pathFilter: Self.dockerIgnoreFilter,
            localDirectories: ["context": contextPath],
            runner: RuncCommandRunner(executor: RuncExecutor(store: store.root)), secrets: options.secrets)
        let solver = Solver(
            worker: worker, cache: StoreCacheIndex(store: store), progress: options.progress,
            options: SolveOptions(noCache: options.noCache))
        // The lease keeps garbage collection from the layers between their writing and naming.
        let lease = try store.writeLease()
        defer { withExtendedLifetime(lease) {} }
        let results = try await solver.solveAll(plan.target)
        guard let layers = results[plan.target.digest]?.layers else {
            throw ClientError(.internal, "the build's target is not a filesystem")
        }
        let target = try ImageExporter(store: store).export(
            layers: layers, config: plan.config, baseHistory: plan.baseHistory, steps: plan.steps, results: results,
            fallback: Date())
        let image = try LocalImage(target: target, name: references.first?.description, store: store)
        let created = image.config.createdDate ?? Date()
        for reference in references {
            try store.setName(reference.description, target: target, created: created)
        }
        return ImageSummary(reference: references.first, id: image.configDigest, digest: try target.digest, created: created, size: image.size)
    }

    /// `.dockerignore` matching, Docker's way, for the build engine.
    static let dockerIgnoreFilter = PathFilter { patterns in
        let matcher = try DockerIgnoreMatcher(patterns: patterns)
        return { path in (try? matcher.matchesOrParentMatches(path)) ?? false }
    }
}
