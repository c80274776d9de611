import Foundation
import HoistBackend
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistStore

/// The build engine's worker on a Docker Engine (`hoist build --backend docker`): Hoist's solver
/// and cache decide what runs, and each `RUN` runs on the daemon as Docker's classic builder
/// runs it — a container created from the parent image, started, waited for, committed.
///
/// File operations (`COPY`, `ADD`, `WORKDIR`) run there too, as the classic builder's do: a
/// container of the parent image, the files put in with the archive upload, committed — the
/// files and their owners decided by the native worker's copy rules, so no step needs root.
///
/// The committed layer comes back into Hoist's store, so results stay content-addressed layers
/// and the cache works as on the native backend. Sources and checksums are Hoist's own.
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

    /// As the classic builder's `COPY` and `WORKDIR`: the files go as a tar (owners and modes
    /// in its headers, made by the native worker's copy rules) into a container of the parent
    /// image, with the Engine API's archive upload, and the container is committed. Files of
    /// another stage or image are taken from a container of theirs. Nothing here needs root.
    func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        let base = inputs.first?.layers ?? []
        let scratch = local.store.root.temporary.appendingPathComponent("docker-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: scratch) }
        var fetched: [Int: SourceTree] = [:]
        for (index, action) in op.actions.enumerated() {
            guard case .copy(let copy) = action, copy.sourceInput < inputs.count,
                case .layers(let layers, _) = inputs[copy.sourceInput] else { continue }
            fetched[index] = try await fetch(copy.pathsToFetch, of: layers, into: scratch.appendingPathComponent("source-\(index)"))
        }
        let archive = scratch.appendingPathComponent("files.tar")
        try op.writeArchive(
            to: archive.path, base: base, store: local.store, inputs: inputs, fetched: fetched, pathFilter: local.pathFilter)
        let image = try await daemonImages.image(for: base)
        let upload = { [self] in
            try await withContainer(of: image) { id in
                try await engine.extract(archiveAt: archive, into: "/", container: id)
                return try await engine.commit(id)
            }
        }
        let committed: String
        do {
            committed = try await upload()
        } catch let error as EngineError where error.isTransient {
            // Once more, in a new container: an upload the daemon stalled on (see `extract`).
            context.log("the daemon did not take the files (\(error.message)); trying again")
            committed = try await upload()
        }
        return try await layers(base, committed: committed)
    }

    /// Runs `body` on a container made from `config` (by default one of `image` that is never
    /// started: the command only has to be there for the daemon to create it), and removes the
    /// container afterwards on every way out.
    private func withContainer<T>(of image: String, config: EngineContainerConfig? = nil,
                                            _ body: (String) async throws -> T) async throws -> T {
        let id = try await engine.createContainer(config ?? EngineContainerConfig(image: image, cmd: ["true"], entrypoint: []))
        do {
            let result = try await body(id)
            try await engine.removeContainer(id, force: true)
            return result
        } catch {
            // A cancelled task's requests fail at once: the removal runs in a task of its own.
            let engine = engine
            await Task { try? await engine.removeContainer(id, force: true) }.value
            throw error
        }
    }

    /// The files under `paths` of the layer chain `layers`, from a container of its daemon
    /// image, in a ``SourceTree`` at `directory`. A path that is a symbolic link brings its
    /// target too (a copy follows a source's link); what the daemon adds to every container
    /// (`/etc/hosts`, `/.dockerenv`, …) is left out unless the chain has it.
    private func fetch(_ paths: [String], of layers: [LayerRef], into directory: URL) async throws -> SourceTree {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let image = try await daemonImages.image(for: layers)
        return try await withContainer(of: image) { probe in
            var tree = SourceTree(root: directory.path)
            var chain: LayerFileReader?
            let store = local.store
            let keep = { (path: String) -> Bool in
                guard Self.containerOnly.contains(path) else { return true }
                if chain == nil { chain = try? LayerFileReader(store: store, layers: layers) }
                return chain?.holds(path) ?? false
            }
            for requested in paths {
                var path = requested
                for _ in 0..<40 {
                    guard let stat = try await engine.pathStat(path, container: probe) else { break }
                    let archive = directory.appendingPathExtension("\(UUID().uuidString).tar")
                    defer { try? FileManager.default.removeItem(at: archive) }
                    try await engine.archive(probe, path: path, to: archive)
                    let parent = path.split(separator: "/").dropLast().map(String.init)
                    try tree.add(archive: archive.path, under: parent, keep: keep)
                    guard let target = stat.linkTarget, !target.isEmpty, target != path else { break }
                    path = target
                }
            }
            tree.finish()
            return tree
        }
    }

    /// What the daemon puts in every container, image or not (its init layer).
    private static let containerOnly: Set<String> = [
        ".dockerenv", "dev", "dev/console", "dev/pts", "dev/shm", "etc", "etc/hostname", "etc/hosts", "etc/mtab",
        "etc/resolv.conf", "proc", "sys",
    ]

    /// `base` and the top layer of daemon image `committed`, a step's, brought into the store.
    private func layers(_ base: [LayerRef], committed: String, stubs: Set<String> = []) async throws -> BuildResult {
        await daemonImages.noteMade(committed)
        let (layer, isDaemonsLayer) = try await CommittedLayer(engine: engine, store: local.store)
            .importTopLayer(of: committed, stubs: stubs, sourceDateEpoch: sourceDateEpoch)
        let layers = base + [layer]
        // A layer changed on the way in is not the committed image's: a later step on it
        // has the daemon load Hoist's (only that layer travels).
        if isDaemonsLayer { await daemonImages.record(layers, image: committed) }
        return .layers(layers, config: nil)
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
        let image = try await daemonImages.image(for: base, platform: op.platform)
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
        let committed = try await withContainer(of: image, config: config) { id in
            let status = try await run(id, op: op, context: context)
            guard status.code == 0 else { throw BuildError.processFailed(op.arguments, exitCode: status.code, lastOutput: status.lastOutput) }
            return try await engine.commit(id)
        }
        return try await layers(base, committed: committed, stubs: stubs)
    }

    /// Starts container `id`, streams its output to the step's progress, and waits for it.
    private func run(_ id: String, op: ExecOp, context: StepContext) async throws -> (code: Int32, lastOutput: [String]) {
        let tail = OutputTail(lines: 10)
        let engine = engine
        try await engine.attach(id, standardInput: nil) { stream, payload in
            tail.append(String(decoding: payload, as: UTF8.self))
            context.log(bytes: Array(payload), stream: stream == .standardError ? .stderr : .stdout)
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
        return try await withContainer(of: image) { probe in
            var missing: Set<String> = []
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
            return missing
        }
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
