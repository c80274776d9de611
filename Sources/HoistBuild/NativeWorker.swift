import Foundation
import HoistArchive
public import HoistOCI
public import HoistStore

/// The worker of the native backend: layers in the store, file systems as snapshots, commands
/// through an OCI runtime.
///
/// Every step starts from its input's layer chain unpacked into committed snapshots (keyed by
/// ChainID, so each layer is unpacked once per store), works on an active snapshot mounted in
/// a private directory, and turns the snapshot's changes into a new layer blob.
public struct NativeWorker: Worker {
    public let store: Store
    public let snapshotter: any Snapshotter
    public let images: any ImageSource
    public let pathFilter: PathFilter
    /// Local sources by name (`context`, named build contexts) → host directories.
    public let localDirectories: [String: String]
    /// Runs `RUN` commands.
    public let runner: any CommandRunner
    /// Secrets by id (`--secret id=…`), mounted for `RUN --mount=type=secret`, never stored.
    public let secrets: [String: String]
    /// `SOURCE_DATE_EPOCH`: new layers clamp their files' times to it, for reproducible images.
    public var sourceDateEpoch: Int64?
    /// SSH agent sockets by id (`--ssh id=SOCKET`), shown to `RUN --mount=type=ssh`.
    public var sshAgents: [String: String] = [:]
    /// Where a cache mount the store has never had is filled from before its first step
    /// (the imported caches of `--cache-from`).
    public var cacheMountSource: (any CacheMountSource)?
    /// Steps one at a time, for a snapshotter with a single live tree (pod isolation's
    /// ``InPlaceSnapshotter``); independent steps run at once otherwise.
    public var runsStepsOneAtATime: Bool {
        get { stepLock != nil }
        set { stepLock = newValue ? AsyncLimiter(limit: 1) : nil }
    }
    private var stepLock: AsyncLimiter?

    public init(store: Store, snapshotter: any Snapshotter, images: any ImageSource, pathFilter: PathFilter,
                localDirectories: [String: String], runner: any CommandRunner, secrets: [String: String] = [:]) {
        self.store = store
        self.snapshotter = snapshotter
        self.images = images
        self.pathFilter = pathFilter
        self.localDirectories = localDirectories
        self.runner = runner
        self.secrets = secrets
    }

    // MARK: Sources

    public func source(_ op: SourceOp, context: StepContext) async throws -> BuildResult {
        switch op {
        case .image(let reference, let platform):
            let (config, layers) = try await images.resolve(reference, platform: platform)
            return .layers(layers, config: config)
        case .local(let name, _, let exclude):
            guard let path = localDirectories[name] else {
                throw BuildError(.notFound, "no local source named \"\(name)\" was given to the build")
            }
            return .directory(path: path, exclude: exclude)
        case .http(let url, let checksum, let filename, _):
            // Each download gets a directory of its own; the copy that reads it is keyed by the
            // content, so a changed file at the same URL rebuilds what uses it.
            let directory = store.root.temporary.appendingPathComponent("http-\(UUID().uuidString)").path
            _ = try await HTTPDownload(url: url, checksum: checksum, filename: filename).fetch(into: directory)
            return .directory(path: directory, exclude: [])
        case .git(let url, let ref, let keepGitDirectory, let checksum, let submodules):
            let directory = store.root.temporary.appendingPathComponent("git-\(UUID().uuidString)").path
            try await GitCheckout(url: url, ref: ref, keepGitDirectory: keepGitDirectory, checksum: checksum, submodules: submodules ?? true)
                .fetch(into: directory)
            return .directory(path: directory, exclude: [])
        }
    }

    public func checksum(of result: BuildResult, paths: [String], excluding: [String]) async throws -> Digest {
        guard case .directory(let path, let exclude) = result else {
            throw BuildError(.internal, "a checksum was asked of a result that is not a directory")
        }
        // `.dockerignore` is relative to the directory, `--exclude` to each source it copies.
        var checksum = ContextChecksum(store: store, root: try RootedPath(root: path), isExcluded: try pathFilter.make(exclude))
        checksum.isExcludedUnderSource = try pathFilter.make(excluding)
        return try checksum.digest(of: paths)
    }

    // MARK: Commands

    public func exec(_ op: ExecOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        let rootMount = op.mounts.first { $0.destination == "/" }
        let base = rootMount?.input.flatMap { inputs[$0].layers } ?? []
        let tail = OutputTail(lines: 10)
        let runner = self.runner
        let mounts = try await prepareMounts(of: op, inputs: inputs)
        defer { mounts.release() }
        let command = CommandSpec(
            arguments: op.arguments, environment: op.environment + mounts.environment, workingDirectory: op.workingDirectory,
            user: op.user, network: op.network, insecure: op.insecure, binds: mounts.binds, tmpfs: mounts.tmpfs, platform: op.platform)
        let targets = command.binds.map(\.destination) + command.tmpfs.keys + [command.workingDirectory]
        return try await withStep(on: base) { root in
            let stubs = try MountStubs(root: root, targets: targets)
            defer { stubs.removeCreated() }
            let status = try await runner.run(command, rootfs: root) { stream, bytes in
                tail.append(String(decoding: bytes, as: UTF8.self))
                context.log(bytes: bytes, stream: stream)
            }
            guard status == 0 else { throw BuildError.processFailed(op.arguments, exitCode: status, lastOutput: tail.lines) }
        }
    }

    /// The host side of `op`'s mounts other than `/`: directories to bind (a local input as it
    /// is, a stage or image as a read-only view of its layers, a cache mount's persistent
    /// directory, locked as its sharing says, a secret's file) and tmpfs mounts. Release the
    /// result when the step is over.
    public func prepareMounts(of op: ExecOp, inputs: [BuildResult]) async throws -> StepMounts {
        var mounts = StepMounts()
        do {
            for mount in op.mounts where mount.destination != "/" {
                switch mount.kind {
                case .bind:
                    guard let index = mount.input else {
                        throw BuildError(.internal, "bind mount \(mount.destination) has no input")
                    }
                    let path: String
                    switch inputs[index] {
                    case .directory(let directory, let exclude) where mount.readOnly && exclude.isEmpty:
                        path = directory
                    case .directory(let directory, let exclude):
                        // `rw`: the step may write, and its writes go with it (an overlay on the
                        // directory). What `.dockerignore` leaves out is taken out of the overlay:
                        // the step sees the context BuildKit would have been sent.
                        let view = try writableView(of: directory, excluding: exclude)
                        mounts.releases.append(view.release)
                        path = view.path
                    case .layers(let layers, _):
                        // A stage or image: a view of its layers, mounted for this step; with
                        // `rw` a snapshot of its own, whose writes are dropped with it.
                        let view: MountedView
                        if !mount.readOnly, snapshotter.holdsOneActiveSnapshot {
                            // The one writable snapshot is the step's (pod isolation): a copy.
                            let readOnly = try mountView(of: layers)
                            defer { readOnly.release() }
                            view = try copiedView(of: readOnly.path, isExcluded: nil, reincludes: false)
                        } else {
                            view = try mountView(of: layers, writable: !mount.readOnly)
                        }
                        mounts.releases.append(view.release)
                        path = view.path
                    }
                    mounts.binds.append(.init(source: try RootedPath(root: path).resolve(mount.selector), destination: mount.destination,
                                              readOnly: mount.readOnly))
                case .cache(let id, let sharing, let uid, let gid, let mode):
                    let lock = try await CacheMountLock(
                        directory: try await cacheDirectory(id: id, uid: uid, gid: gid, mode: mode), sharing: sharing)
                    mounts.releases.append(lock.release)
                    mounts.binds.append(
                        .init(source: lock.directory, destination: mount.destination, readOnly: mount.readOnly, keepsWrites: true))
                case .tmpfs(let size):
                    mounts.tmpfs[mount.destination] = size
                case .secret(let id, let required, let uid, let gid, let mode):
                    guard let path = secrets[id] else {
                        if required { throw Self.missingSecret(id) }
                        continue
                    }
                    guard let value = FileManager.default.contents(atPath: path) else {
                        throw BuildError(.notFound, "cannot read secret \(id) from \(path)")
                    }
                    // A copy with the mount's owner and mode, in memory only.
                    let file = try secretFile(value, uid: uid, gid: gid, mode: mode)
                    mounts.releases.append(file.release)
                    mounts.binds.append(.init(source: file.path, destination: mount.destination, readOnly: true))
                case .secretEnvironment(let id, let required, let name):
                    guard let path = secrets[id] else {
                        if required { throw Self.missingSecret(id) }
                        continue
                    }
                    guard let value = FileManager.default.contents(atPath: path) else {
                        throw BuildError(.notFound, "cannot read secret \(id) from \(path)")
                    }
                    mounts.environment.append("\(name)=\(String(decoding: value, as: UTF8.self))")
                case .ssh(let id, let required, _, _, _):
                    // The agent's own socket, bound as it is: the step talks to the agent of the
                    // user who started the build (owner and mode are the socket's own).
                    guard let socket = sshAgents[id] else {
                        if required { throw BuildError(.notFound, "SSH agent \(id) was not given to the build (--ssh \(id)=SOCKET)") }
                        continue
                    }
                    mounts.binds.append(.init(source: socket, destination: mount.destination, readOnly: false, keepsWrites: true))
                }
            }
        } catch {
            mounts.release()
            throw error
        }
        return mounts
    }

    /// A secret the build was not given, in BuildKit's words and with how to give it.
    static func missingSecret(_ id: String) -> BuildError {
        BuildError(.notFound, "secret \(id): not found (give it with --secret id=\(id),src=…)")
    }

    /// `value` as a file owned by `uid`:`gid` with `mode`, on a tmpfs of its own (a secret
    /// never reaches a disk), until released.
    private func secretFile(_ value: Data, uid: Int, gid: Int, mode: UInt32) throws -> (path: String, release: @Sendable () -> Void) {
        var directory = store.root.temporary.appendingPathComponent("secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let memory = Mount(type: "tmpfs", source: "tmpfs", options: ["mode=0700", "size=\(max(value.count, 4096) + 4096)"])
        var mounted = true
        do {
            try memory.mount(at: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            // Where nothing can be mounted (pod isolation), /dev/shm is memory too.
            directory = "/dev/shm/hoist-secret-\(UUID().uuidString)"
            guard (try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])) != nil
            else { throw error }
            mounted = false
        }
        let release: @Sendable () -> Void = { [directory, mounted] in
            if mounted { try? Mount.unmount(directory) }
            try? FileManager.default.removeItem(atPath: directory)
        }
        let path = directory + "/secret"
        guard FileManager.default.createFile(atPath: path, contents: value, attributes: [.posixPermissions: 0o600]),
              lchown(path, uid_t(truncatingIfNeeded: uid), gid_t(truncatingIfNeeded: gid)) == 0,
              chmod(path, mode_t(mode & 0o7777)) == 0
        else {
            release()
            throw BuildError(.internal, "cannot write the secret's file on \(directory)")
        }
        return (path, release)
    }

    /// Where the cache mount `id` of builds on `store` keeps its files. As BuildKit keys a cache
    /// by its id and the directory it starts from, the same id with another owner or mode is
    /// another cache.
    public static func cacheMountDirectory(id: String, store: Store, uid: Int = 0, gid: Int = 0, mode: UInt32 = 0o755) -> String {
        let identity = uid == 0 && gid == 0 && mode == 0o755 ? id : "\(id) \(uid):\(gid) \(String(mode, radix: 8))"
        return store.root.url.appendingPathComponent("cache-mounts/\(Digest(of: Data(identity.utf8)).encoded)").path
    }

    /// The persistent directory of a cache mount, created on first use with the asked owner and
    /// mode, or filled from ``cacheMountSource`` when that has it.
    private func cacheDirectory(id: String, uid: Int, gid: Int, mode: UInt32) async throws -> String {
        let path = Self.cacheMountDirectory(id: id, store: store, uid: uid, gid: gid, mode: mode)
        if !FileManager.default.fileExists(atPath: path), let cacheMountSource {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = await cacheMountSource.restore(CacheArtifact.Mount(id: id, uid: uid, gid: gid, mode: mode), into: path)
        }
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: mode])
            _ = lchown(path, uid_t(uid), gid_t(gid))
        }
        return path
    }

    // MARK: File operations

    public func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        let base = inputs.first?.layers ?? []
        return try await withStep(on: base) { root in
            let actions = FileActions(destination: DirectoryDestination(root: try RootedPath(root: root)), pathFilter: pathFilter)
            for action in op.actions {
                try actions.perform(action, inputs: inputs) { _, input, body in
                    try withReadable(input) { path, exclude, isLocal in
                        try body(FileActions.Source(path: path, exclude: exclude, isLocal: isLocal))
                    }
                }
            }
        }
    }

    /// Runs `body` with a readable directory of `input`: a local directory as it is, or a
    /// layer chain unpacked and mounted read-only.
    private func withReadable(_ input: BuildResult, _ body: (String, [String], Bool) throws -> Void) throws {
        switch input {
        case .directory(let path, let exclude):
            try body(path, exclude, true)
        case .layers(let layers, _):
            let view = try mountView(of: layers)
            defer { view.release() }
            try body(view.path, [], false)
        }
    }

    /// A view of a layer chain (or an overlay on a directory), mounted in a private directory
    /// (or, from a snapshotter that cannot mount, its own directory) until released; then its
    /// snapshot (or scratch directory) goes.
    struct MountedView {
        let path: String
        let key: SnapshotKey?
        let mounts: [Mount]
        let snapshotter: any Snapshotter
        var scratch: String?
        var isMounted = true

        func release() {
            if isMounted {
                try? Mount.unmountAll(mounts, at: path)
                try? FileManager.default.removeItem(atPath: scratch ?? path)
            }
            if let key { try? snapshotter.remove(key) }
        }
    }

    /// Removes from `root` (a writable view of a directory) every path `isExcluded` leaves out
    /// but the directories holding a path it keeps (`reincludes`: the patterns have exceptions,
    /// so an excluded directory is looked into). Returns whether anything under `relative` stays.
    static func removeExcluded(under root: String, relative: String = "", isExcluded: (String) -> Bool, reincludes: Bool) throws -> Bool {
        let directory = relative.isEmpty ? root : root + "/" + relative
        var kept = false
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { continue }
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            let excluded = isExcluded(path)
            if isDirectory && (!excluded || reincludes),
               try removeExcluded(under: root, relative: path, isExcluded: isExcluded, reincludes: reincludes) {
                kept = true
            } else if excluded {
                try FileManager.default.removeItem(atPath: root + "/" + path)
            } else {
                kept = true
            }
        }
        return kept
    }

    /// A writable view of `directory` without what `exclude` leaves out, until released, when
    /// what was written goes: an overlay on it, or — where overlays cannot be mounted or emptied
    /// (pod isolation without CAP_SYS_ADMIN, a user namespace's overlay refusing a removal) — a
    /// copy of it in the store's scratch space.
    private func writableView(of directory: String, excluding exclude: [String]) throws -> MountedView {
        let isExcluded = exclude.isEmpty ? nil : try pathFilter.make(exclude)
        let reincludes = exclude.contains { $0.hasPrefix("!") }
        if let overlay = try? mountOverlay(on: directory) {
            do {
                if let isExcluded { _ = try Self.removeExcluded(under: overlay.path, isExcluded: isExcluded, reincludes: reincludes) }
                return overlay
            } catch {
                overlay.release()
            }
        }
        return try copiedView(of: directory, isExcluded: isExcluded, reincludes: reincludes)
    }

    /// A copy of `directory` without what `isExcluded` leaves out, in the store's scratch space
    /// until released.
    private func copiedView(of directory: String, isExcluded: ((String) -> Bool)?, reincludes: Bool) throws -> MountedView {
        let scratch = store.root.temporary.appendingPathComponent("copy-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory, toPath: scratch + "/tree")
            if let isExcluded { _ = try Self.removeExcluded(under: scratch + "/tree", isExcluded: isExcluded, reincludes: reincludes) }
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw BuildError(.failedPrecondition, "cannot make a writable copy of \(directory) for a rw bind mount: \(error)")
        }
        return MountedView(path: scratch + "/tree", key: nil, mounts: [], snapshotter: snapshotter, scratch: scratch, isMounted: true)
    }

    /// A writable overlay on `directory`, mounted in a private directory until released, when
    /// what was written goes.
    private func mountOverlay(on directory: String) throws -> MountedView {
        let scratch = store.root.temporary.appendingPathComponent("rw-\(UUID().uuidString)").path
        for part in ["upper", "work", "merged"] {
            try FileManager.default.createDirectory(atPath: scratch + "/" + part, withIntermediateDirectories: true)
        }
        let overlay = Mount(type: "overlay", source: "overlay",
                            options: ["lowerdir=\(directory)", "upperdir=\(scratch)/upper", "workdir=\(scratch)/work"])
        do {
            try Mount.mountAll([overlay], at: scratch + "/merged")
        } catch {
            try? FileManager.default.removeItem(atPath: scratch)
            throw BuildError(.failedPrecondition, "cannot mount a writable overlay on \(directory) for a rw bind mount: \(error)")
        }
        return MountedView(path: scratch + "/merged", key: nil, mounts: [overlay], snapshotter: snapshotter, scratch: scratch)
    }

    private func mountView(of layers: [LayerRef], writable: Bool = false) throws -> MountedView {
        let parent = try unpack(layers)
        let key = try SnapshotKey("\(writable ? "rw" : "view")/\(UUID().uuidString)")
        let mounts = writable ? try snapshotter.prepare(key: key, parent: parent, labels: [:])
            : try snapshotter.view(key: key, parent: parent, labels: [:])
        if let directory = Mount.directoryInPlace(mounts) {
            return MountedView(path: directory, key: key, mounts: mounts, snapshotter: snapshotter, isMounted: false)
        }
        let path: String
        do {
            path = try makeMountPoint()
            try Mount.mountAll(mounts, at: path)
        } catch {
            try? snapshotter.remove(key)
            throw error
        }
        return MountedView(path: path, key: key, mounts: mounts, snapshotter: snapshotter, isMounted: true)
    }

    // MARK: Steps on snapshots

    /// Unpacks `layers` into committed snapshots and returns the top one's key (nil for scratch).
    func unpack(_ layers: [LayerRef]) throws -> SnapshotKey? {
        let content = store.content
        let unpackable = try layers.map { layer -> LayerUnpacker.Layer in
            let digest = try layer.blob.digest
            guard let path = content.path(digest) else {
                throw BuildError(.notFound, "layer \(digest) is not in the store")
            }
            return LayerUnpacker.Layer(diffID: layer.diffID) { try FileByteSource(path: path) }
        }
        return try LayerUnpacker(snapshotter: snapshotter).unpack(unpackable).key
    }

    /// Prepares an active snapshot on `base`, mounts it, runs `body` on its root, and turns the
    /// changes into a layer: the result is `base` plus that layer (empty when nothing changed,
    /// as in BuildKit). The snapshot is committed under the new chain's ID for later steps.
    func withStep(on base: [LayerRef], _ body: (String) async throws -> Void) async throws -> BuildResult {
        guard let stepLock else { return try await runStep(on: base, body) }
        await stepLock.acquire()
        do {
            let result = try await runStep(on: base, body)
            await stepLock.release()
            return result
        } catch {
            await stepLock.release()
            throw error
        }
    }

    private func runStep(on base: [LayerRef], _ body: (String) async throws -> Void) async throws -> BuildResult {
        let parent = try unpack(base)
        let active = try SnapshotKey("build/\(UUID().uuidString)")
        let mounts = try snapshotter.prepare(key: active, parent: parent, labels: [:])
        var committed = false
        defer { if !committed { try? snapshotter.remove(active) } }
        // A snapshotter that cannot mount gives its directory, worked in where it is.
        let directory = Mount.directoryInPlace(mounts)
        let root = try directory ?? makeMountPoint()
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: root) } }
        if directory == nil { try Mount.mountAll(mounts, at: root) }
        do {
            try await body(root)
        } catch {
            if directory == nil { try? Mount.unmountAll(mounts, at: root) }
            throw error
        }
        if directory == nil { try Mount.unmountAll(mounts, at: root) }

        let writer = try store.content.writer(expecting: nil, size: nil)
        var sink = writer
        do {
            // A step that changed nothing still gets its (empty) layer, as BuildKit gives one.
            _ = try snapshotter.diff(active, to: &sink, options: LayerDiffer.Options(sourceDateEpoch: sourceDateEpoch))
        } catch {
            writer.abort()
            throw error
        }
        let (digest, size) = try writer.commit()
        let layer = LayerRef(
            diffID: digest, blob: Descriptor(mediaType: .ociLayer, digest: digest, size: size),
            created: ImageExporter.timestamp(sourceDateEpoch.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()))
        let layers = base + [layer]
        let name = SnapshotKey(chainID: ChainID.chain(layers.map(\.diffID)).last!)
        do {
            if try snapshotter.exists(name) {
                // The same change was made before: that snapshot serves, this one goes.
                try snapshotter.remove(active)
            } else {
                try snapshotter.commit(name: name, key: active, labels: [:])
            }
        } catch let error as StoreError where error.code == .alreadyExists {
            // Another build committed the same change meanwhile: its snapshot serves.
            try snapshotter.remove(active)
        }
        committed = true
        return .layers(layers, config: nil)
    }

    private func makeMountPoint() throws -> String {
        let path = store.root.temporary.appendingPathComponent("mnt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }
}
