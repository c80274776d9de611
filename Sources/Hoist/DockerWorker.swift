import Foundation
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistStore

/// The build engine's worker on a Docker Engine (`hoist build --backend docker`): Hoist's solver
/// and cache decide what runs, and each `RUN` runs on the daemon as Docker's classic builder
/// runs it — a container created from the parent image, started, waited for, committed.
///
/// The committed layer comes back into Hoist's store, so results stay content-addressed layers
/// and the cache works as on the native backend. Sources, checksums and file operations
/// (`COPY`, `ADD`, `WORKDIR`) are Hoist's own, with the native worker's exact semantics (on
/// snapshots of this machine: root, as for the native backend); their layers reach the daemon
/// when a later `RUN` needs them, in an image loaded then.
struct DockerWorker: Worker {
    /// Does what needs no container: sources, checksums, file operations, the host side of mounts.
    let local: NativeWorker
    let engine: EngineClient
    let daemonImages: DaemonImages
    let sourceDateEpoch: Int64?
    /// `--memory`, `--cpu-quota`, dropped capabilities: on every RUN container.
    let limits: StepLimits

    func source(_ op: SourceOp, context: StepContext) async throws -> BuildResult {
        try await local.source(op, context: context)
    }

    func checksum(of result: BuildResult, paths: [String], excluding: [String]) async throws -> Digest {
        try await local.checksum(of: result, paths: paths, excluding: excluding)
    }

    func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        // Snapshots made without root would give the files this user's owner, silently.
        guard geteuid() == 0 else {
            throw BuildError(
                .unsupported,
                "COPY, ADD and WORKDIR run on this machine's snapshots, which needs root to keep the files' owners: run hoist as root, or hand the whole build to the daemon with --delegate")
        }
        return try await local.file(op, inputs: inputs, context: context)
    }

    func exec(_ op: ExecOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        let base = op.mounts.first { $0.destination == "/" }?.input.flatMap { inputs[$0].layers } ?? []
        let hostMounts = Set(op.mounts.compactMap(hostMountKind)).sorted()
        if !hostMounts.isEmpty, !engine.host.isOnThisMachine {
            throw BuildError(
                .unsupported,
                "RUN --mount=type=\(hostMounts.joined(separator: ", ")) shows this machine's files to the step, which the Docker daemon at \(engine.host) cannot see: build with the native backend or a daemon on this machine")
        }
        if op.mounts.contains(where: { if case .secretEnvironment = $0.kind { true } else { false } }) {
            throw BuildError(
                .unsupported,
                "RUN --mount=type=secret,env=… would leave the secret in the daemon's container config: build with the native backend, or mount the secret as a file")
        }
        let image = try await daemonImages.image(for: base)
        let mounts = try await local.prepareMounts(of: op, inputs: inputs)
        defer { mounts.release() }
        let config = EngineContainerConfig(
            image: image, cmd: op.arguments, entrypoint: [], env: op.environment, workingDir: op.workingDirectory,
            // The parent image's USER must not apply: no user is root.
            user: op.user.isEmpty ? "0" : op.user,
            hostConfig: EngineContainerConfig.HostConfig(
                binds: mounts.binds.isEmpty ? nil : mounts.binds.map { "\($0.source):\($0.destination)" + ($0.readOnly ? ":ro" : "") },
                networkMode: op.network == .none ? "none" : "host", memory: limits.memoryBytes,
                nanoCpus: limits.cpuQuota.map { $0 * 1_000_000_000 / Int64(limits.cpuPeriod ?? 100_000) },
                capDrop: limits.capabilitiesDropped.isEmpty ? nil : limits.capabilitiesDropped,
                tmpfs: mounts.tmpfs.isEmpty ? nil : mounts.tmpfs.mapValues { $0.map { "size=\($0)" } ?? "" },
                privileged: op.insecure ? true : nil,
                // The output goes to the step's progress, attached: a log of it would cost the daemon's disk.
                logConfig: .init(type: "none")))
        let stubs = try await missingPaths(mounts.binds.map(\.destination) + mounts.tmpfs.keys, image: image)
        let id = try await engine.createContainer(config)
        do {
            let status = try await run(id, op: op, context: context)
            guard status.code == 0 else { throw BuildError.processFailed(op.arguments, exitCode: status.code, lastOutput: status.lastOutput) }
            let committed = try await engine.commit(id)
            try await engine.removeContainer(id, force: true)
            await daemonImages.noteMade(committed)
            let (layer, isDaemonsLayer) = try await CommittedLayer(engine: engine, store: local.store)
                .importTopLayer(of: committed, stubs: stubs, sourceDateEpoch: sourceDateEpoch)
            let layers = base + [layer]
            // A layer changed on the way in is not the committed image's: a later step on it
            // has the daemon load Hoist's (only that layer travels).
            if isDaemonsLayer { await daemonImages.record(layers, image: committed) }
            return .layers(layers, config: nil)
        } catch {
            // A cancelled task's requests fail at once: the removal runs in a task of its own.
            let engine = engine
            await Task { try? await engine.removeContainer(id, force: true) }.value
            throw error
        }
    }

    /// Starts container `id`, streams its output to the step's progress, and waits for it.
    private func run(_ id: String, op: ExecOp, context: StepContext) async throws -> (code: Int32, lastOutput: [String]) {
        let tail = OutputTail(lines: 10)
        let engine = engine
        try await engine.attach(id, standardInput: nil) { stream, payload in
            let text = String(decoding: payload, as: UTF8.self)
            tail.append(text)
            context.log(text, stream: stream == .standardError ? .stderr : .stdout)
        } whenAttached: {
            try await engine.startContainer(id)
        }
        return (try await engine.waitContainer(id), tail.lines)
    }

    /// Which of `targets` and their parents do not exist in `image`, relative to `/`: what the
    /// runtime will make only to mount over. Asked of a container of its own, never started:
    /// the daemon shows a container's bind mounts where they will be.
    private func missingPaths(_ targets: [String], image: String) async throws -> Set<String> {
        guard !targets.isEmpty else { return [] }
        let probe = try await engine.createContainer(EngineContainerConfig(image: image, cmd: ["true"], entrypoint: []))
        var missing: Set<String> = []
        do {
            for target in Set(targets) {
                let components = target.split(separator: "/").map(String.init)
                // Below the first missing directory everything is missing too.
                for depth in components.indices {
                    let path = components.prefix(depth + 1).joined(separator: "/")
                    if missing.contains(path) { break }
                    if try await engine.pathStat("/" + path, container: probe) != nil { continue }
                    for deeper in depth..<components.count { missing.insert(components.prefix(deeper + 1).joined(separator: "/")) }
                    break
                }
            }
        } catch {
            let engine = engine
            await Task { try? await engine.removeContainer(probe, force: true) }.value
            throw error
        }
        try await engine.removeContainer(probe, force: true)
        return missing
    }

    /// The `--mount` type of a mount that shows the step a file of this machine, if it does
    /// (a secret the build was not given and does not require is left out, as natively).
    private func hostMountKind(_ mount: ExecMount) -> String? {
        guard mount.destination != "/" else { return nil }
        switch mount.kind {
        case .bind: return "bind"
        case .cache: return "cache"
        case .secret(let id, let required, _, _, _): return local.secrets[id] != nil || required ? "secret" : nil
        case .ssh(let id, let required, _, _, _): return local.sshAgents[id] != nil || required ? "ssh" : nil
        case .tmpfs, .secretEnvironment: return nil
        }
    }
}
