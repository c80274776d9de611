import Foundation
import HoistNativeBackend
import HoistArchive
import HoistBuild
import HoistDocker
import HoistDockerfile
import HoistOCI
import HoistRuntime
import HoistStore

extension Client {
    /// Builds the Dockerfile in `options` and names the image with its tags.
    ///
    /// Hoist's build engine decides what runs: each step's result is cached by a key made of
    /// its definition and the content it reads, so an unchanged rebuild runs nothing. On the
    /// native backend steps run on snapshots of the store with runc; on the docker backend
    /// base images come from the daemon, each `RUN` runs in a container there (committed, its
    /// layer brought back to the store), and the image is loaded into the daemon under the tags.
    /// Throws `DockerfileError` (with file:line:col) for a bad Dockerfile, `BuildError` naming
    /// the failing step, its exit code and last output, and ``ClientError`` for bad options.
    ///
    /// Every step's whole output is kept until the next build (``lastBuildSteps()``,
    /// ``buildLogFile(_:)``). When a `RUN` step fails and `onStepFailure` is given, it gets a
    /// ``DebuggedStep`` — a container on the state the step ran in — before the build throws.
    ///
    /// With several ``BuildOptions/platforms`` the Dockerfile is converted once per platform and
    /// the graphs solved together, so what they share (the context, a `FROM
    /// --platform=$BUILDPLATFORM` stage) runs once; the images are joined in one OCI index,
    /// which the tags name and whose digest is returned. A platform with a
    /// ``BuildOptions/builderNodes`` entry has its `RUN` steps run on that node's Docker
    /// Engine, their layers brought into the store under the same cache keys; a node that does
    /// not answer is a ``ClientError`` (`unavailable`) before anything runs.
    @discardableResult
    public func build(_ options: BuildOptions, onStepFailure: (@Sendable (DebuggedStep) async -> Void)? = nil) async throws -> ImageSummary {
        try await build(options, finishing: nil, onStepFailure: onStepFailure, record: DebugRecord(options)) { images in
            guard options.platforms.count > 1 else { return [try await self.convertDockerfile(options, images: images)] }
            var conversions: [DockerfileConversion] = []
            for platform in options.platforms {
                conversions.append(try await self.convertDockerfile(options, images: images, platform: platform))
            }
            return conversions
        }
    }

    /// Builds `state`, a graph another frontend made (S2I's), as ``build(_:)`` builds a
    /// Dockerfile's: on the client's backend, with `options`' tags, step limits and progress,
    /// its local sources from `localDirectories`. `finishing` gets the solved layers before
    /// the image is written and returns the state whose config the image gets.
    func build(_ state: BuildState, localDirectories: [String: String], options: BuildOptions,
               finishing: (@Sendable (BuildState, [LayerRef]) async throws -> BuildState)?) async throws -> ImageSummary {
        try await build(options, finishing: finishing, onStepFailure: nil, record: nil) { images in
            [DockerfileConversion(
                state: state, context: localDirectories["context"] ?? "", namedContexts: localDirectories, images: images,
                sourceDateEpoch: options.sourceDateEpoch)]
        }
    }

    private func build(_ options: BuildOptions, finishing: (@Sendable (BuildState, [LayerRef]) async throws -> BuildState)?,
                       onStepFailure: (@Sendable (DebuggedStep) async -> Void)?, record: DebugRecord?,
                       convert: (any ImageSource) async throws -> [DockerfileConversion]) async throws -> ImageSummary {
        let references = try options.tags.map { try parseReference($0) }
        if options.platforms.count > 1 {
            try Self.checkMultiPlatform(options)
        }
        try BuilderNode.check(options.builderNodes, platforms: options.platforms)
        if options.isolation == .pod { try nativeOnly("--isolation=pod").checkPodIsolation() }
        let request = BuildPlacementRequest(
            store: store, pullPolicy: options.pullPolicy, limits: options.stepLimits, loadIntoDocker: options.loadIntoDocker)
        let placement = try await containerBackend.buildPlacement(request)
        var nodes: [Platform: any BuildPlacement] = [:]
        do {
            // Every node is reached before anything runs: one that does not answer fails the build at once.
            for node in options.builderNodes {
                nodes[node.platform] = try await DockerBackend.nodePlacement(node, request: request)
            }
            let conversions = try await convert(placement.imageSource)
            let image = try await build(
                conversions, options: options, references: references, placement: placement, nodes: nodes, finishing: finishing,
                onStepFailure: onStepFailure, record: record)
            await placement.finish(keeping: [image.id.description])
            for node in nodes.values { await node.finish(keeping: []) }
            return image
        } catch {
            await placement.finish(keeping: [])
            for node in nodes.values { await node.finish(keeping: []) }
            throw error
        }
    }

    private func build(_ conversions: [DockerfileConversion], options: BuildOptions, references: [Reference],
                       placement: any BuildPlacement, nodes: [Platform: any BuildPlacement],
                       finishing: (@Sendable (BuildState, [LayerRef]) async throws -> BuildState)?,
                       onStepFailure: (@Sendable (DebuggedStep) async -> Void)?, record: DebugRecord?) async throws -> ImageSummary {
        guard let conversion = conversions.first else { throw ClientError(.internal, "the build converted nothing") }
        // Every platform's conversion warns alike: once is enough.
        for warning in conversion.state.warnings { options.progress.report(.warning(warning)) }
        let epoch = conversion.sourceDateEpoch

        let localDirectories = conversion.namedContexts.merging(["context": conversion.context]) { $1 }
        let pod = options.isolation == .pod ? try native.podIsolation(options, keeping: Array(localDirectories.values)) : nil
        let agents = try Self.checkedAgents(options.sshAgents)
        let stages = Set(options.noCacheStages.map { $0.lowercased() })
        let (logs, hold) = try startBuildLogs()
        defer { hold.release() }
        try record?.write(into: logs.directory)
        let progress = logs.recording(options.progress)
        let cache = await SharedCacheIndex(
            local: StoreCacheIndex(store: store), imports: options.cacheImports.compactMap { $0.location.storage(registry: options.registry) },
            progress: progress)
        var native = NativeWorker(
            store: store, snapshotter: pod?.snapshotter ?? DeferredSnapshotter { [store] in try store.snapshotter() },
            images: conversion.images, pathFilter: Self.dockerIgnoreFilter, localDirectories: localDirectories,
            runner: pod?.runner ?? RuncCommandRunner(store: store.root, limits: options.stepLimits), secrets: options.secrets)
        native.runsStepsOneAtATime = pod != nil
        native.sourceDateEpoch = epoch
        native.sshAgents = agents
        native.cacheMountSource = cache
        let here = placement.worker(local: native)
        let worker: any Worker = nodes.isEmpty
            ? here : PlatformRoutedWorker(default: here, nodes: nodes.mapValues { [native] in $0.worker(local: native) })
        let mountPreparer = native
        let solver = Solver(
            worker: worker, cache: cache, progress: progress,
            options: SolveOptions(
                noCache: options.noCache, noCacheFor: { vertex in vertex.stage.map { stages.contains($0.lowercased()) } ?? false },
                cacheKeySalt: epoch.map { "SOURCE_DATE_EPOCH=\($0)" } ?? ""))
        defer {
            do { try logs.close() } catch {
                options.progress.report(.warning(BuildWarning(message: "the steps' logs could not be kept whole: \(error)")))
            }
        }
        // The lease keeps garbage collection from the layers between their writing and naming.
        return try await store.withLease("build") { _ in
            do {
                return try await solveAndExport(
                    conversions.map(\.state), solver: solver, cache: cache, options: options, references: references, epoch: epoch,
                    placement: placement, finishing: finishing)
            } catch let error as BuildError {
                if let onStepFailure {
                    do {
                        // The platform whose graph holds the failed step (each graph is searched; the first holding it opens).
                        for state in conversions.map(\.state) {
                            try await openFailedStep(error, of: state.vertex, worker: worker, mounts: mountPreparer, cache: cache, handler: onStepFailure)
                            if state.vertex.topologicallySorted.contains(where: { $0.digest == error.vertex }) { break }
                        }
                    } catch {
                        options.progress.report(.warning(BuildWarning(message: "cannot open a container on the failed step: \(error)")))
                    }
                }
                throw error
            }
        }
    }

    /// Solves `state` and makes, names and exports its image (the part of a build that writes),
    /// then publishes it on the backend.
    private func solveAndExport(
        _ states: [BuildState], solver: Solver, cache: SharedCacheIndex, options: BuildOptions, references: [Reference],
        epoch: Int64?, placement: any BuildPlacement,
        finishing: (@Sendable (BuildState, [LayerRef]) async throws -> BuildState)?
    ) async throws -> ImageSummary {
        let results = try await solver.solveAll(states.map(\.vertex))
        try await cache.flushUsage()
        var images: [(image: LocalImage, layers: [LayerRef])] = []
        for solved in states {
            guard let layers = results[solved.vertex.digest]?.layers else {
                throw ClientError(.internal, "the build's target is not a filesystem")
            }
            let state = try await finishing?(solved, layers) ?? solved
            // The same config an exported BuildState gets: the frontend's, with the state's edits.
            var (config, baseHistory) = imageConfig(of: state)
            // A base image's inline cache is not this image's: BuildKit drops it too.
            config.unknownFields[InlineCache.field] = nil
            if options.cacheExports.contains(where: { $0.location == .inline }) {
                config.unknownFields[InlineCache.field] = try InlineCache.encode(cache.records(mode: .min, images: [layers]), image: layers)
            }
            let exported = try ImageExporter(store: store).export(
                layers: layers, config: config, baseHistory: baseHistory, steps: state.steps, results: results,
                fallback: Date(), sourceDateEpoch: epoch)
            images.append((try LocalImage(exported, name: references.first?.description), layers))
        }
        for export in options.cacheExports {
            guard let storage = export.location.storage(registry: options.registry) else { continue }
            let mounts = export.includesMounts
                ? CacheMountArchive.mounts(of: states.flatMap(\.vertex.topologicallySorted)).reduce(into: [:]) { directories, mount in
                    directories[mount] = NativeWorker.cacheMountDirectory(id: mount.id, store: store, uid: mount.uid, gid: mount.gid, mode: mount.mode)
                } : [:]
            try await cache.export(to: storage, mode: export.mode, images: images.map(\.layers), mounts: mounts, compression: export.compression)
        }
        guard images.count > 1, let host = images.first(where: { PlatformMatcher.host.matches($0.image.config.platform) }) ?? images.first else {
            let (image, layers) = images[0]
            let created = image.config.createdDate ?? Date()
            try store.name(image.target, as: references.map(\.description), created: created)
            for output in options.outputs {
                try export(image, to: output, names: references)
            }
            try await placement.publish(BuiltImage(
                id: image.configDigest, config: try store.content.data(image.configDigest), layers: layers, tags: references))
            return ImageSummary(
                reference: references.first, id: image.configDigest, digest: try image.target.digest, created: created, size: image.size)
        }
        let index = try store.writeIndex(manifests: images.map { image in
            var entry = image.image.target
            entry.platform = image.image.config.platform
            return entry
        })
        let created = images.compactMap(\.image.config.createdDate).max() ?? Date()
        try store.name(index, as: references.map(\.description), created: created)
        for output in options.outputs {
            try export(index: index, images: images.map(\.image), created: created, to: output, names: references)
        }
        // A backend's own image store keeps one image per name: it gets the host's platform's.
        try await placement.publish(BuiltImage(
            id: host.image.configDigest, config: try store.content.data(host.image.configDigest), layers: host.layers, tags: references))
        let digest = try index.digest
        return ImageSummary(
            reference: references.first, id: digest, digest: digest, created: created,
            size: images.reduce(0) { $0 + $1.image.size } + index.size)
    }

    /// Refuses what a multi-platform build cannot do: `--load` (a Docker daemon takes one
    /// image per name, as buildx's docker exporter refuses a manifest list) and outputs that
    /// hold one image's files.
    static func checkMultiPlatform(_ options: BuildOptions) throws {
        let platforms = options.platforms.map(\.normalized)
        if let repeated = platforms.first(where: { platform in platforms.filter { $0 == platform }.count > 1 }) {
            throw ClientError(.invalidArgument, "--platform names \(repeated) twice")
        }
        if options.loadIntoDocker {
            throw ClientError(.unsupported, "--load takes one image, and this build makes one per platform (\(platforms.map(\.description).joined(separator: ", "))): build one platform to load it, or --output type=oci")
        }
        for output in options.outputs {
            if case .tar = output {
                throw ClientError(.unsupported, "--output type=tar holds one platform's files: use type=local (a directory per platform) or type=oci with several platforms")
            }
            if case .docker = output {
                throw ClientError(.unsupported, "--output type=docker holds one image per name: use type=oci with several platforms")
            }
        }
    }

    /// Writes a multi-platform build's index to an `--output` destination: an OCI layout with
    /// the index, the store's names, or each platform's files in a directory of its own
    /// (`linux_amd64`, `linux_arm_v7`), as BuildKit's local exporter splits them.
    private func export(index: Descriptor, images: [LocalImage], created: Date, to output: BuildOutput, names: [Reference]) throws {
        switch output {
        case .oci(let path):
            try store.writeArchive([ArchivedImage(names: names.map(\.description), target: index, created: created)], format: .oci, to: path)
        case .image(let extra, _):
            if !extra.isEmpty {
                try store.name(index, as: extra.map { try Reference(parsing: $0).description }, created: created)
            }
        case .local(let directory):
            for image in images {
                let platform = image.config.platform
                let name = [platform.os, platform.architecture, platform.variant ?? ""].filter { !$0.isEmpty }.joined(separator: "_")
                let subdirectory = (directory as NSString).appendingPathComponent(name)
                try FileManager.default.createDirectory(atPath: subdirectory, withIntermediateDirectories: true)
                try apply(image, into: subdirectory)
            }
        case .docker, .tar:
            throw ClientError(.unsupported, "\(output) holds one platform's image")
        }
    }

    /// The agents of `--ssh`, each a socket: Hoist shows the step the agent itself, so a key
    /// file (which BuildKit's client loads into an agent of its own) is refused with what to do.
    static func checkedAgents(_ agents: [String: String]) throws -> [String: String] {
        try agents.mapValues { path in
            var info = stat()
            guard stat(path, &info) == 0 else { throw ClientError(.notFound, "--ssh: no SSH agent socket at \(path)") }
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw ClientError(
                    .invalidArgument,
                    "--ssh: \(path) is not an agent's socket; load the key into an agent (ssh-add) and give its socket ($SSH_AUTH_SOCK)")
            }
            return path
        }
    }

    /// Writes a built image to an `--output` destination; files appear only when complete.
    func export(_ image: LocalImage, to output: BuildOutput, names: [Reference]) throws {
        switch output {
        case .oci(let path), .docker(let path):
            let isDocker = if case .docker = output { true } else { false }
            let archived = ArchivedImage(
                names: names.map { isDocker ? $0.familiarString : $0.description }, target: image.target,
                created: image.config.createdDate)
            try store.writeArchive([archived], format: isDocker ? .docker : .oci, to: path)
        case .image(let extra, _):
            // In the store already; pushing is the registry client's work, after the build.
            if !extra.isEmpty {
                try store.name(image.target, as: extra.map { try Reference(parsing: $0).description }, created: image.config.createdDate ?? Date())
            }
        case .local(let directory):
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try apply(image, into: directory)
        case .tar(let path):
            // The filesystem is assembled in scratch space, then written as one tar of the tree.
            let scratch = store.root.temporary.appendingPathComponent("export-\(UUID().uuidString)").path
            let empty = scratch + "-empty"
            defer {
                try? FileManager.default.removeItem(atPath: scratch)
                try? FileManager.default.removeItem(atPath: empty)
            }
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
            try apply(image, into: scratch)
            let partial = path + ".hoist-partial"
            let sink = try FileByteSink(path: partial, syncOnClose: true)
            var writer = sink
            do {
                try LayerDiffer().diff(lower: empty, upper: scratch, to: &writer)
                try sink.close()
                guard rename(partial, path) == 0 else {
                    throw ClientError(.failedPrecondition, "cannot write \(path): \(String(cString: strerror(errno)))")
                }
            } catch {
                unlink(partial)
                throw error
            }
        }
    }

    /// Applies the image's layers, in order, into `directory`.
    private func apply(_ image: LocalImage, into directory: String) throws {
        let applier = try LayerApplier(root: directory)
        for layer in image.manifest.layers {
            guard let path = store.content.path(try layer.digest) else {
                throw ClientError(.dataLoss, "layer \(layer.digestString) is missing from the store")
            }
            _ = try applier.apply(try FileByteSource(path: path))
        }
    }

    /// `.dockerignore` matching, Docker's way, for the build engine.
    static let dockerIgnoreFilter = PathFilter { patterns in
        // No patterns exclude nothing: a context without a .dockerignore is not matched file by file.
        if patterns.isEmpty { return { _ in false } }
        let matcher = try DockerIgnoreMatcher(patterns: patterns)
        return { path in (try? matcher.matchesOrParentMatches(path)) ?? false }
    }
}
