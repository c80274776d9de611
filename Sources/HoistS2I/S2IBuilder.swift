public import Foundation
public import HoistBuild
import HoistOCI
import Synchronization

/// Source-to-image builds as OpenShift's `s2i` makes them, on any backend an ``S2IHost``
/// stands for: request in, image out, progress as ``S2IEvent``s.
///
/// ```swift
/// var request = S2IRequest(source: URL(fileURLWithPath: "app"), builderImage: "ruby-builder", tag: "app:1")
/// request.incremental = true
/// let result = try await S2IBuilder(host: host, progress: S2IProgress { print($0) }).build(request)
/// ```
///
/// A build pulls the builder (and runtime) image as the pull policies say, with S2I's retries,
/// checks their users against `--allowed-uids`, finds the scripts where S2I looks, and turns
/// the build into a graph (``S2IPlan``) the host's build engine solves: steps are cached by
/// their content, and an incremental build restores the previous image's artifacts in a step
/// of the graph, or from the cache mount when the previous image is not at hand.
public struct S2IBuilder: Sendable {
    public let host: any S2IHost
    public let progress: S2IProgress

    public init(host: any S2IHost, progress: S2IProgress = .discard) {
        self.host = host
        self.progress = progress
    }

    /// Builds `request`.
    ///
    /// - Throws: ``S2IError`` for bad input, a refused user, missing images or scripts;
    ///   `BuildError` naming the step that failed (assemble's exit code and last output).
    @discardableResult
    public func build(_ request: S2IRequest) async throws -> S2IResult {
        let result: S2IResult
        do {
            result = try await withPreparedBuild(request) { prepared in try await make(prepared, request) }
        } catch {
            await callBack(request, result: nil)
            throw error
        }
        await callBack(request, result: result)
        if request.runImage { try await run(result, request) }
        return result
    }

    /// Writes the Dockerfile of `request` to `path` (a path ending in `/` means `Dockerfile`
    /// in that directory), with its files in `upload/` beside it; nothing is built.
    public func writeDockerfile(_ request: S2IRequest, to path: URL) async throws {
        let file = path.hasDirectoryPath ? path.appendingPathComponent("Dockerfile") : path
        try await withPreparedBuild(request, asDockerfile: true) { prepared in
            let directory = file.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try prepared.plan.writeUpload(
                into: directory, scriptsDirectory: prepared.scriptsDirectory, runtimeScriptsDirectory: prepared.runtimeScriptsDirectory,
                source: prepared.application)
            try Data(prepared.plan.dockerfile().utf8).write(to: file)
        }
    }

    // MARK: Steps

    /// What a build works with once its images are there and its plan made.
    struct Prepared: Sendable {
        var plan: S2IPlan
        var application: URL
        /// The source the graph reads (for an ONBUILD builder, a copy without what is excluded).
        var context: URL
        var scriptsDirectory: URL
        var runtimeScriptsDirectory: URL
        /// The previous image of an incremental build.
        var previous: S2IImage?
        var puller: S2IPuller
    }

    /// Obtains the images, checks them, fetches the source and works out the plan, in a
    /// workspace removed afterwards, then runs `body`.
    private func withPreparedBuild<T: Sendable>(_ original: S2IRequest, asDockerfile: Bool = false,
                                                _ body: (Prepared) async throws -> T) async throws -> T {
        var request = original
        if request.incremental, request.runtimeImage != nil {
            throw S2IError(.invalidArgument, "incremental build with runtime image isn't supported")
        }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-s2i-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        if let repository = request.repository {
            let checkout = workspace.appendingPathComponent("checkout")
            request.commit = try await host.checkOut(repository, ref: request.sourceRef, into: checkout)
            request.source = checkout
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: request.source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw S2IError(.notFound, "the source \(request.source.path) does not exist or is not a directory")
            }
        }
        let application = try request.applicationDirectory()
        let puller = S2IPuller(request, host: host, progress: progress)
        guard let builder = try await puller.obtain(request.builderImage, policy: request.builderPullPolicy) else {
            throw S2IError(.notFound, "builder image \(request.builderImage) is not there, and --pull-policy never forbids pulling it")
        }
        let check = request.allowedUIDs.map(AllowedUserCheck.init)
        try check?.check(image: request.builderImage, config: builder.config, assembleUser: request.assembleUser)
        var runtime: S2IImage?
        if let image = request.runtimeImage {
            guard let found = try await puller.obtain(image, policy: request.runtimePullPolicy) else {
                throw S2IError(.notFound, "runtime image \(image) is not there, and --runtime-pull-policy never forbids pulling it")
            }
            try check?.check(image: image, config: found.config, assembleUser: request.assembleUser)
            runtime = found
        }
        var context = application
        var onBuildBase: BuildState?
        if !asDockerfile, !(builder.config.config?.onBuild ?? []).isEmpty {
            // S2I's onbuild strategy: the builder's triggers run with the source as the context.
            context = workspace.appendingPathComponent("context")
            let exclusions = try S2ISourceExclusions(source: application, excludePattern: request.excludePattern)
            try S2ITree.copy(application, to: context, excluding: exclusions.excludes)
            onBuildBase = try await host.onBuildState(of: request.builderImage, context: context)
        }
        let planner = S2IPlanner(
            host: host, puller: puller, progress: progress, scriptsDirectory: workspace.appendingPathComponent("scripts"),
            runtimeScriptsDirectory: workspace.appendingPathComponent("runtime-scripts"))
        let plan = try await planner.plan(request, application: application, builder: builder, onBuildBase: onBuildBase, runtime: runtime)
        let (incremental, previous) = try await planner.incremental(plan, request)
        return try await body(Prepared(
            plan: incremental, application: application, context: context, scriptsDirectory: planner.scriptsDirectory,
            runtimeScriptsDirectory: planner.runtimeScriptsDirectory, previous: previous, puller: puller))
    }

    /// Builds the plan's graph on the host and names the image; a failure to save the
    /// previous image's artifacts makes it a clean build, as in S2I.
    private func make(_ prepared: Prepared, _ request: S2IRequest) async throws -> S2IResult {
        var plan = prepared.plan
        // `--rm`: S2I removes the image the tag named before, once the new one is made.
        var previousTagged: S2IImage?
        if request.removePreviousImage, plan.artifacts != nil, let tag = request.tag {
            previousTagged = try await prepared.puller.inspect(tag)
        }
        while true {
            let graph = plan.graph(
                scriptsDirectory: prepared.scriptsDirectory, runtimeScriptsDirectory: prepared.runtimeScriptsDirectory,
                source: prepared.context)
            let failed = DebuggedSteps()
            let progress = self.progress
            let quiet = request.quiet
            var settings = S2IBuildSettings(
                tags: request.tag.map { [$0] } ?? [], localDirectories: graph.localDirectories, memoryBytes: request.memoryBytes,
                cpuQuota: request.cpuQuota, cpuPeriod: request.cpuPeriod, capabilitiesDropped: request.capabilitiesDropped)
            settings.progress = ProgressReporter { event in
                if case .failed(let vertex, _, _) = event { failed.insert(vertex) }
                if quiet, case .log = event { return }
                progress.report(.build(event))
            }
            let destination = plan.destination
            let image: S2IImage
            do {
                image = try await host.build(graph.state, settings) { readFile in
                    try Self.withMetadataLabels(graph.state, destination: destination, readFile: readFile)
                }
            } catch {
                guard let save = graph.saveArtifacts, failed.contains(save.digest) else { throw error }
                progress.report(.note("Clean build will be performed because of error saving previous build artifacts: \(error)"))
                plan.artifacts = nil
                continue
            }
            if let previousTagged, previousTagged.id != image.id {
                do {
                    try await host.removeImage(previousTagged.id)
                    progress.report(.note("Removed previously-tagged image \(previousTagged.id)"))
                } catch {
                    progress.report(.note("Unable to remove previous image \(previousTagged.id): \(error)"))
                }
            }
            return S2IResult(
                imageID: image.id, tag: request.tag, labels: image.config.config?.labels ?? [:], incremental: plan.artifacts != nil)
        }
    }

    /// `state` with the labels assemble asked for in `image_metadata.json` (S2I's documented
    /// `/tmp/.s2i/`, else under the destination) over all others.
    static func withMetadataLabels(_ state: BuildState, destination: String, readFile: S2IFileReader) throws -> BuildState {
        var paths = [S2ILabels.imageMetadataPath]
        let own = S2IPlan.join(destination, S2ILabels.imageMetadataFile)
        if own != paths[0] { paths.append(own) }
        guard let (path, data) = try paths.lazy.compactMap({ path in try readFile(path).map { (path, $0) } }).first else {
            try S2IImageMetadata.checkSize(state.config.labels ?? [:])
            return state
        }
        let labels = try S2IImageMetadata.labels(in: data, path: path)
        let merged = (state.config.labels ?? [:]).merging(labels) { $1 }
        try S2IImageMetadata.checkSize(merged)
        return state.with { $0.labels = merged }
    }

    /// POSTs the outcome to `--callback-url`, as S2I does (up to 3 tries when the server
    /// cannot be reached); what happened is reported, never thrown.
    private func callBack(_ request: S2IRequest, result: S2IResult?) async {
        guard let url = request.callbackURL else { return }
        var body: [String: Any] = ["success": result != nil]
        if let labels = result?.labels, !labels.isEmpty { body["labels"] = labels }
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return }
        let http = S2IHTTP()
        for _ in 0..<3 {
            do {
                let status = try await http.post(json: data, to: url)
                progress.report(.note(status >= 300 ? "Callback returned with error code: \(status)" : "Callback \(url) answered \(status)"))
                return
            } catch {
                progress.report(.note("Unable to invoke callback: \(error)"))
            }
        }
    }

    /// `--run`: runs the built image; its output goes to the events.
    private func run(_ result: S2IResult, _ request: S2IRequest) async throws {
        let image = request.tag ?? result.imageID
        let progress = self.progress
        let code = try await host.run(
            image, S2IRunSpec(network: request.network, memoryBytes: request.memoryBytes, capabilitiesDropped: request.capabilitiesDropped)
        ) { stream, data in
            progress.report(.output(stream, data))
        }
        guard code == 0 else {
            throw S2IError(.failedPrecondition, "running the built image \(image) failed with exit code \(code)")
        }
    }
}

/// What an S2I build made.
public struct S2IResult: Sendable, Hashable {
    /// The image's ID (its config's digest).
    public var imageID: String
    /// Its name, when it was given one.
    public var tag: String?
    /// Its labels: the builder's, S2I's, and those assemble asked for.
    public var labels: [String: String]
    /// Whether the previous image's artifacts were restored.
    public var incremental: Bool
}

/// The steps of a build that failed, as its progress reported them.
private final class DebuggedSteps: Sendable {
    private let digests = Mutex<Set<Digest>>([])

    func insert(_ digest: Digest) { _ = digests.withLock { $0.insert(digest) } }
    func contains(_ digest: Digest) -> Bool { digests.withLock { $0.contains(digest) } }
}
