import Foundation
import HoistBackend
import HoistBuild
import HoistNativeBackend
import HoistOCI
import HoistRuntime
import HoistStore

extension Client {
    /// Hands `handler` a container on the state step `step` of the last build ran in — the
    /// step named as ``buildLogFile(_:)`` names it — and releases it afterwards, as
    /// ``build(_:onStepFailure:)`` does for a step that fails (`hoist debug STEP`).
    ///
    /// The graph is made again from the build's Dockerfile and options, and the step's inputs
    /// solved from the cache (a step whose result is gone runs again): throws
    /// `failedPrecondition` when the last build was not a Dockerfile's or its Dockerfile changed
    /// so that the step is no longer in the graph, `invalidArgument` for a step that ran no
    /// command, and `notFound` for a secret the step mounts (secrets are never kept).
    public func debugStep(_ step: String, handler: @Sendable (DebuggedStep) async -> Void) async throws {
        let (chosen, _) = try buildLogFile(step)
        guard let directory = lastBuildLogs, let record = try DebugRecord.read(from: directory) else {
            throw ClientError(.failedPrecondition, "the last build was not a Dockerfile's: there is no graph to open its steps on")
        }
        let options = record.options
        let placement = try await containerBackend.buildPlacement(BuildPlacementRequest(store: store, pullPolicy: options.pullPolicy))
        do {
            // The graph of the platform the step was built for (a multi-platform build has one each).
            var found: (conversion: DockerfileConversion, vertex: Vertex)?
            for platform in options.platforms.isEmpty ? [nil] : options.platforms.map(Optional.some) where found == nil {
                let conversion = try await convertDockerfile(options, images: placement.imageSource, platform: platform)
                found = conversion.state.vertex.topologicallySorted.first { $0.digest == chosen.vertex }.map { (conversion, $0) }
            }
            guard let (conversion, vertex) = found else {
                throw ClientError(
                    .failedPrecondition, "step \(chosen.index) (\(chosen.name)) is not in the build's graph any more: its Dockerfile or options changed")
            }
            guard case .exec = vertex.op else {
                throw ClientError(.invalidArgument, "step \(chosen.index) (\(chosen.name)) ran no command: there is no state of a command to open")
            }
            let native = NativeWorker(
                store: store, snapshotter: DeferredSnapshotter { [store] in try store.snapshotter() }, images: conversion.images,
                pathFilter: Self.dockerIgnoreFilter,
                localDirectories: conversion.namedContexts.merging(["context": conversion.context]) { $1 },
                runner: RuncCommandRunner(store: store.root))
            try await store.withLease("debug") { _ in
                try await openStep(
                    vertex, error: nil, worker: placement.worker(local: native), mounts: native, cache: StoreCacheIndex(store: store),
                    handler: handler)
            }
            await placement.finish(keeping: [])
        } catch {
            await placement.finish(keeping: [])
            throw error
        }
    }

    /// Hands `handler` a container on the state the step `error` names ran in, when that step
    /// is a command of `graph`; other failures (a copy, a download) have no container to give.
    func openFailedStep(_ error: BuildError, of graph: Vertex, worker: any Worker, mounts preparer: NativeWorker,
                        cache: any CacheIndex, handler: @Sendable (DebuggedStep) async -> Void) async throws {
        guard let digest = error.vertex, let vertex = graph.topologicallySorted.first(where: { $0.digest == digest }) else { return }
        try await openStep(vertex, error: error, worker: worker, mounts: preparer, cache: cache, handler: handler)
    }

    /// Hands `handler` a container on the state the command of `vertex` ran in, and releases
    /// it afterwards (nothing stays: the container's snapshots, mounts and files go; the
    /// inputs' snapshots are the ones the build unpacked). Does nothing for another op.
    ///
    /// The step's inputs are solved again, from the cache the build filled (`worker` and
    /// `cache`, no progress); `mounts` prepares its mounts as the step had them.
    private func openStep(_ vertex: Vertex, error: BuildError?, worker: any Worker, mounts preparer: NativeWorker,
                          cache: any CacheIndex, handler: @Sendable (DebuggedStep) async -> Void) async throws {
        guard case .exec(let op) = vertex.op else { return }
        let solver = Solver(worker: worker, cache: cache)
        var inputs: [BuildResult] = []
        for input in vertex.inputs { inputs.append(try await solver.solve(input)) }
        let mounts = try await preparer.prepareMounts(of: op, inputs: inputs)
        defer { mounts.release() }
        let rootLayers = op.mounts.first { $0.destination == "/" }?.input.flatMap { inputs[$0].layers } ?? []
        let root = try solvedBuild(rootLayers, state: .scratch)

        let history = store.root.temporary.appendingPathComponent("debug-history-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: store.root.temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: history) }
        try Data((DebuggedStep.commandLine(of: op.arguments) + "\n").utf8).write(to: history)
        var hostMounts: [ContainerMount] = mounts.binds.map { .bind(source: $0.source, destination: $0.destination, readOnly: $0.readOnly) }
        hostMounts += mounts.tmpfs.sorted { $0.key < $1.key }.map { .tmpfs(destination: $0.key, sizeBytes: $0.value) }
        hostMounts.append(.bind(source: history.path, destination: DebuggedStep.historyPath, readOnly: false))
        let container = try DebugContainer(
            root: root, mounts: [], network: op.network == .host ? .host : .none, hostMounts: hostMounts,
            defaults: .init(environment: op.environment + mounts.environment, user: op.user, workingDirectory: op.workingDirectory))
        await handler(DebuggedStep(name: vertex.name, command: op.arguments, error: error, container: container, root: root))
        await container.release()
    }
}

/// What ``Client/debugStep(_:handler:)`` needs to make a Dockerfile build's graph again, kept
/// with its logs (`build.json`): the options the frontend reads. Secrets are not kept.
struct DebugRecord: Codable {
    var context: URL
    var dockerfile: URL?
    var buildArguments: [String: String]
    var target: String?
    var platforms: [Platform]
    var buildContexts: [String: String]
    var labels: [String: String]
    var allowInsecure: Bool
    var allowHostNetwork: Bool
    var defaultNetwork: HoistBuild.NetworkMode

    init(_ options: BuildOptions) {
        context = options.context.standardizedFileURL
        dockerfile = options.dockerfile?.standardizedFileURL
        buildArguments = options.buildArguments
        target = options.target
        platforms = options.platforms
        buildContexts = options.buildContexts
        labels = options.labels
        allowInsecure = options.allowInsecure
        allowHostNetwork = options.allowHostNetwork
        defaultNetwork = options.defaultNetwork
    }

    /// The options the frontend is given again: a build that never pulls (the build did).
    var options: BuildOptions {
        var options = BuildOptions(
            context: context, dockerfile: dockerfile, buildArguments: buildArguments, target: target, labels: labels,
            allowInsecure: allowInsecure)
        options.platforms = platforms
        options.buildContexts = buildContexts
        options.allowHostNetwork = allowHostNetwork
        options.defaultNetwork = defaultNetwork
        options.pullPolicy = .never
        return options
    }

    func write(into directory: URL) throws {
        try JSONEncoder().encode(self).write(to: directory.appendingPathComponent("build.json"), options: .atomic)
    }

    /// The record in `directory`; nil when the build there was not a Dockerfile's.
    static func read(from directory: URL) throws -> DebugRecord? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("build.json")) else { return nil }
        return try JSONDecoder().decode(DebugRecord.self, from: data)
    }
}
