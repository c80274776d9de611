public import Foundation
public import HoistBuild
import HoistArchive
import HoistOCI
import HoistNativeBackend
import HoistStore

extension Client {
    /// Builds `state` (its steps cached like any build's) and returns its files to read, without
    /// making an image. `localDirectories` gives the directories ``BuildState/local(_:include:exclude:)``
    /// names; `secrets` the files of secret mounts by id, `sshAgents` the sockets of SSH agents.
    public func solve(_ state: BuildState, localDirectories: [String: URL] = [:], secrets: [String: String] = [:],
                      sshAgents: [String: String] = [:], progress: ProgressReporter = .discard) async throws -> SolvedBuild {
        let placement = try await containerBackend.buildPlacement(BuildPlacementRequest(store: store))
        let layers: [LayerRef]
        do {
            (layers, _) = try await solveLayers(
                state, on: placement, localDirectories: localDirectories, secrets: secrets, sshAgents: sshAgents, progress: progress)
            await placement.finish(keeping: [])
        } catch {
            await placement.finish(keeping: [])
            throw error
        }
        let snapshotter = try store.snapshotter()
        let unpackable = try layers.map { layer -> LayerUnpacker.Layer in
            let digest = try layer.blob.digest
            guard let path = store.content.path(digest) else { throw ClientError(.dataLoss, "layer \(digest) is missing from the store") }
            return LayerUnpacker.Layer(diffID: layer.diffID) { try FileByteSource(path: path) }
        }
        let key = try store.withWriteLease { try LayerUnpacker(snapshotter: snapshotter).unpack(unpackable).key }
        return SolvedBuild(store: store, snapshot: key, state: state)
    }

    /// Builds `state` into an image named `tags`: its base image's config with the state's
    /// environment, working directory, user and settings, and one history entry per step. It
    /// is also written to each of `outputs`, as `hoist build --output` writes a build's.
    @discardableResult
    public func export(_ state: BuildState, tags: [String] = [], outputs: [BuildOutput] = [], localDirectories: [String: URL] = [:],
                       secrets: [String: String] = [:], sshAgents: [String: String] = [:],
                       progress: ProgressReporter = .discard) async throws -> ImageSummary {
        let references = try tags.map { try parseReference($0) }
        let placement = try await containerBackend.buildPlacement(BuildPlacementRequest(store: store))
        do {
            let image = try await export(
                state, on: placement, references: references, outputs: outputs, localDirectories: localDirectories, secrets: secrets,
                sshAgents: sshAgents, progress: progress)
            await placement.finish(keeping: [image.id.description])
            return image
        } catch {
            await placement.finish(keeping: [])
            throw error
        }
    }

    private func export(_ state: BuildState, on placement: any BuildPlacement, references: [Reference], outputs: [BuildOutput],
                        localDirectories: [String: URL], secrets: [String: String], sshAgents: [String: String],
                        progress: ProgressReporter) async throws -> ImageSummary {
        let (layers, results) = try await solveLayers(
            state, on: placement, localDirectories: localDirectories, secrets: secrets, sshAgents: sshAgents, progress: progress)
        let (config, baseHistory) = imageConfig(of: state)
        return try await store.withLease("export") { _ in
            let exported = try ImageExporter(store: store).export(
                layers: layers, config: config, baseHistory: baseHistory, steps: state.steps, results: results, fallback: Date(),
                sourceDateEpoch: nil)
            let target = exported.target
            let image = try LocalImage(exported, name: references.first?.description)
            let created = image.config.createdDate ?? Date()
            try store.name(target, as: references.map(\.description), created: created)
            for output in outputs { try export(image, to: output, names: references) }
            try await placement.publish(BuiltImage(
                id: image.configDigest, config: try store.content.data(image.configDigest), layers: layers, tags: references))
            return ImageSummary(
                reference: references.first, id: image.configDigest, digest: try target.digest, created: created, size: image.size)
        }
    }

    /// The config an image of `state` gets, and the history it inherits: the frontend's image
    /// config or the base image's (the host platform's empty one for none), with the state's
    /// environment, directory, user, platform and settings over it.
    func imageConfig(of state: BuildState) -> (config: ImageConfig, baseHistory: [HistoryEntry]) {
        var config: ImageConfig
        var baseHistory: [HistoryEntry] = []
        if let frontendConfig = state.imageConfig {
            config = frontendConfig
            baseHistory = state.baseHistory ?? []
        } else if let base = state.baseImage, let image = try? resolve(base) {
            config = image.config
            baseHistory = image.config.history ?? []
        } else {
            config = ImageConfig(platform: state.platform ?? .host)
        }
        if let platform = state.platform {
            config.os = platform.os
            config.architecture = platform.architecture
            config.variant = platform.variant
        }
        var containerConfig = state.config
        let inherited = config.config ?? ContainerConfig()
        containerConfig.env = state.environment
        containerConfig.workingDir = state.workingDirectory == "/" ? inherited.workingDir : state.workingDirectory
        containerConfig.user = state.user.isEmpty ? inherited.user : state.user
        containerConfig.cmd = containerConfig.cmd ?? inherited.cmd
        containerConfig.entrypoint = containerConfig.entrypoint ?? inherited.entrypoint
        containerConfig.labels = (inherited.labels ?? [:]).merging(containerConfig.labels ?? [:]) { $1 }
        if containerConfig.labels?.isEmpty == true { containerConfig.labels = nil }
        config.config = containerConfig
        return (config, baseHistory)
    }

    /// Solves `state` on the client's backend (`placement`'s worker and images).
    private func solveLayers(_ state: BuildState, on placement: any BuildPlacement, localDirectories: [String: URL],
                             secrets: [String: String], sshAgents: [String: String],
                             progress: ProgressReporter) async throws -> ([LayerRef], [Digest: BuildResult]) {
        var native = NativeWorker(
            store: store, snapshotter: DeferredSnapshotter { [store] in try store.snapshotter() }, images: placement.imageSource,
            pathFilter: Self.dockerIgnoreFilter, localDirectories: localDirectories.mapValues { $0.standardizedFileURL.path },
            runner: RuncCommandRunner(store: store.root), secrets: secrets)
        native.sshAgents = try Self.checkedAgents(sshAgents)
        let cache = StoreCacheIndex(store: store)
        let solver = Solver(worker: placement.worker(local: native), cache: cache, progress: progress, options: SolveOptions())
        let results = try await store.withLease("build") { _ in try await solver.solveAll(state.vertex) }
        try cache.flushUsage()
        guard let layers = results[state.vertex.digest]?.layers else {
            throw ClientError(.invalidArgument, "the state is not a file system (a local directory alone cannot be solved to layers)")
        }
        return (layers, results)
    }
}
