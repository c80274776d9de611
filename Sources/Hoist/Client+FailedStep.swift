import Foundation
import HoistBackend
import HoistBuild
import HoistRuntime

extension Client {
    /// Hands `handler` a container on the state the step `error` names ran in, when that step
    /// is a command of `graph`, and releases the container afterwards (nothing stays: the
    /// container's snapshots, mounts and files go; the inputs' snapshots are the ones the
    /// build unpacked). Other failures (a copy, a download) have no container to give.
    ///
    /// The step's inputs are solved again, from the cache the build filled (`worker` and
    /// `cache`, no progress); `mounts` prepares its mounts as the step had them.
    func openFailedStep(_ error: BuildError, of graph: Vertex, worker: any Worker, mounts preparer: NativeWorker,
                        cache: any CacheIndex, handler: @Sendable (FailedStep) async -> Void) async throws {
        guard let digest = error.vertex, let vertex = graph.topologicallySorted.first(where: { $0.digest == digest }),
              case .exec(let op) = vertex.op
        else { return }
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
        try Data((FailedStep.commandLine(of: op.arguments) + "\n").utf8).write(to: history)
        var hostMounts: [ContainerMount] = mounts.binds.map { .bind(source: $0.source, destination: $0.destination, readOnly: $0.readOnly) }
        hostMounts += mounts.tmpfs.sorted { $0.key < $1.key }.map { .tmpfs(destination: $0.key, sizeBytes: $0.value) }
        hostMounts.append(.bind(source: history.path, destination: FailedStep.historyPath, readOnly: false))
        let container = try DebugContainer(
            root: root, mounts: [], network: op.network == .host ? .host : .none, hostMounts: hostMounts,
            defaults: .init(environment: op.environment + mounts.environment, user: op.user, workingDirectory: op.workingDirectory))
        let step = FailedStep(name: vertex.name, command: op.arguments, error: error, container: container, root: root)
        await handler(step)
        await container.release()
    }
}
