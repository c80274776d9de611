#if canImport(Glibc)
    import Glibc
#endif
package import Foundation
package import HoistBackend
import HoistContainerd
package import HoistOCI
package import HoistRegistry
package import HoistRuntime
package import HoistStore

/// Images and containers of a containerd namespace, through its gRPC API. Images come from
/// Hoist's own pulls and builds, copied into containerd's content store and unpacked into its
/// overlayfs snapshots; containers are containerd containers whose tasks run on runc, with the
/// OCI spec the native backend would give them. Each container's generated files (`/etc/hosts`,
/// `/etc/resolv.conf`, `/etc/hostname`) and logs live in a directory of Hoist's store.
package struct ContainerdBackend: ContainerBackend {
    /// Hoist's store: where images come from, and where containers' files and logs are kept.
    let store: Store
    let connection: ContainerdConnection
    /// The native runtime's rules for a container's settings (the image's config and the run
    /// options → process, mounts, limits), so a container is the one the native backend would
    /// run; the façade's until the native backend has a module of its own.
    let settings: @Sendable (_ image: String, _ config: ImageConfig, _ options: RunOptions) throws -> ContainerSettings

    package init(store: Store, connection: ContainerdConnection,
                 settings: @escaping @Sendable (_ image: String, _ config: ImageConfig, _ options: RunOptions) throws -> ContainerSettings) {
        self.store = store
        self.connection = connection
        self.settings = settings
    }

    /// The store's images, which the backend copies into containerd when they are used.
    var storeImages: StoreImages { StoreImages(store: store) }

    /// Labels Hoist puts on the containers it makes.
    enum Label {
        static let name = "io.hoist.name"
        static let image = "io.hoist.image"
        static let imageID = "io.hoist.image-id"
        static let terminal = "io.hoist.terminal"
        /// `--rm`: removed once it has ended.
        static let autoRemove = "io.hoist.auto-remove"
    }

    var address: ContainerdAddress { connection.address }

    func daemon() async throws -> ContainerdClient { try await connection.daemon() }

    func imageStore() async throws -> ContainerdImages { ContainerdImages(daemon: try await daemon()) }

    /// Where a container's generated files and logs are kept.
    func directory(of id: String) -> URL {
        store.root.url.appendingPathComponent("containerd/\(address.namespace)/\(id)", isDirectory: true)
    }

    // MARK: - Images

    /// Whether containerd has the image, or Hoist's store has it to copy in when it is used.
    package func imageExists(_ name: String, platform: Platform?) async -> Bool {
        // Containers here run the host's platform only (``createContainer`` refuses another).
        guard platform == nil || platform?.normalized == Platform.host.normalized, let images = try? await imageStore() else { return false }
        return (try? await images.resolve(name)) != nil || (try? storeImages.resolve(name)) != nil
    }

    /// The image `name` in containerd; one only Hoist's store has (built or pulled by Hoist) is
    /// copied in first.
    func resolve(_ name: String) async throws -> ContainerdImages.Resolved {
        let images = try await imageStore()
        do {
            return try await images.resolve(name)
        } catch let error as ClientError where error.code == .notFound {
            guard (try? storeImages.resolve(name)) != nil else { throw error }
            try await load(name)
            return try await images.resolve(name)
        }
    }

    /// Pulls with Hoist's registry client into the native store, then copies the image into
    /// containerd.
    package func pullImage(_ name: String, platform: Platform?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await storeImages.pull(name, platform: platform, configuration: configuration) { progress(.blob($0)) }
        try await load(name)
        return ImageTransfer(reference: result.reference, digest: result.manifest.digestString, size: result.manifest.size)
    }

    /// Pushes the store's image of that name (the one containerd's was loaded from) with
    /// Hoist's registry client.
    package func pushImage(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await storeImages.push(name, to: destination, configuration: configuration) { progress(.blob($0)) }
        return ImageTransfer(reference: result.reference, digest: result.target.digestString, size: result.target.size)
    }

    package func close() async { await connection.close() }

    package func loadFromStore(_ name: String, store: Store) async throws { try await load(name) }

    /// Builds on Hoist's store with this machine's runtime; `--load` copies the tags into containerd.
    package func buildPlacement(_ request: BuildPlacementRequest) async throws -> any BuildPlacement {
        StorePlacement(request: request) { image in
            for tag in image.tags { try await load(tag.description) }
        }
    }

    /// Copies the native store's image `name` into containerd under the same name, unpacked.
    func load(_ name: String) async throws {
        let local = try storeImages.resolve(name)
        let recordName = try local.name ?? ContainerdImages.recordName(name)
        try await imageStore().load(local.target, as: recordName, from: store)
    }

    // MARK: - Running to the end

    package func run(_ image: String, _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
             standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        guard !options.terminal else { throw ClientError(.unsupported, "the containerd backend does not give containers a terminal yet") }
        let daemon = try await daemon()
        let id = ContainerRecord.newID()
        let mounts = try await makeContainer(id: id, image: image, options: options, labels: [:])
        do {
            let streams = try TaskStreams(
                in: directory(of: id), standardInput: options.standardInput, standardOutput: standardOutput, standardError: standardError)
            let code = try await runTask(id, rootfs: mounts, streams: streams, daemon: daemon)
            await discard(id)
            return code
        } catch {
            // A cancelled task's own calls fail at once: the clean-up runs in a task of its own,
            // awaited, so nothing of the container is left when this returns.
            await Task { await self.discard(id) }.value
            if Task.isCancelled { throw ClientError(.cancelled, "container \(id) was removed because its task was cancelled") }
            throw Self.startFailure(error)
        }
    }

    /// Creates the task of `id` on `rootfs` attached to `streams`, starts it and waits for it;
    /// returns its exit code. Cancelling kills it.
    func runTask(_ id: String, rootfs: [ContainerdMount], streams: TaskStreams, daemon: ContainerdClient) async throws -> Int32 {
        do {
            try await daemon.createTask(id, rootfs: rootfs, stdio: streams.stdio)
        } catch {
            streams.abandon()
            throw error
        }
        do {
            try await daemon.startTask(id)
        } catch {
            _ = try? await daemon.deleteTask(id)
            streams.abandon()
            throw error
        }
        if streams.hasInput { Self.closeInput(of: id, when: streams, daemon: daemon) }
        let status = try await withTaskCancellationHandler {
            try await daemon.waitTask(id)
        } onCancel: {
            Task { try? await daemon.killTask(id, signal: SIGKILL, all: true) }
        }
        // The shim closes the streams once the process and whatever inherited them are gone.
        if await !streams.drained(within: .seconds(5)) {
            _ = try? await daemon.deleteTask(id)
        }
        return Int32(bitPattern: status)
    }

    /// Closes the input of `id` (or its process `execID`) once `streams` wrote it all, so that
    /// the process reads its end.
    static func closeInput(of id: String, execID: String? = nil, when streams: TaskStreams, daemon: ContainerdClient) {
        Task {
            await streams.inputWritten()
            try? await daemon.closeStandardInput(id, execID: execID)
        }
    }

    /// A runtime's refusal to start a command that does not exist reads as `notFound`, as the
    /// native backend reports it.
    static func startFailure(_ error: any Error) -> any Error {
        guard let daemonError = error as? ContainerdError, daemonError.code == .internal || daemonError.code == .failedPrecondition,
            let failure = ProcessStartFailure.classify(daemonError.message)
        else { return error }
        return RuntimeError(
            failure == .commandNotFound ? .notFound : .failedPrecondition, daemonError.message, underlying: daemonError,
            startFailure: failure)
    }

    // MARK: - Making and discarding containers

    /// Makes container `id` of `image` with `options`: the image unpacked, an active snapshot on
    /// it, the OCI spec built against its files, the container record. Returns the snapshot's
    /// mounts. Nothing is left behind when it fails.
    @discardableResult
    func makeContainer(
        id: String, image: String, options: RunOptions, labels: [String: String], hostname: String? = nil
    ) async throws -> [ContainerdMount] {
        let daemon = try await daemon()
        let images = try await imageStore()
        let resolved = try await resolve(image)
        var settings = try self.settings(image, resolved.config, options)
        if let hostname { settings.hostname = hostname }
        let directory = directory(of: id)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            return try await daemon.withLease { lease in
                let top = try await images.unpack(resolved, lease: lease)
                let mounts = try await daemon.prepareSnapshot(id, parent: top, lease: lease)
                let spec = try Self.spec(settings, rootfs: mounts, directory: directory, cgroupsPath: "/hoist-\(address.namespace)/\(id)")
                var allLabels = labels
                allLabels[Label.image] = image
                allLabels[Label.imageID] = resolved.configDigest.description
                try await daemon.createContainer(
                    ContainerdContainer(
                        id: id, image: resolved.record.name, labels: allLabels, spec: spec,
                        snapshotter: ContainerdClient.defaultSnapshotter, snapshotKey: id),
                    lease: lease)
                return mounts
            }
        } catch {
            try? await daemon.removeSnapshot(id)
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The OCI spec of `settings` as JSON, built with the root file system mounted for a moment
    /// (the user is looked up in it and the working directory made there).
    static func spec(_ settings: ContainerSettings, rootfs: [ContainerdMount], directory: URL, cgroupsPath: String) throws -> Data {
        let mountPoint = directory.appendingPathComponent("rootfs").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounts = rootfs.map(HoistStore.Mount.init)
        try HoistStore.Mount.mountAll(mounts, at: mountPoint)
        defer {
            try? HoistStore.Mount.unmountAll(mounts, at: mountPoint)
            rmdir(mountPoint)
        }
        // The shim mounts the root file system at `rootfs` in its own bundle.
        let spec = try RuntimeSpecBuilder(settings).build(rootfs: mountPoint, bundle: directory.path, rootPath: "rootfs", cgroupsPath: cgroupsPath)
        return try JSONEncoder().encode(spec)
    }

    /// Removes container `id` whatever its state: its task (killed), record, snapshot and files.
    func discard(_ id: String) async {
        guard let daemon = try? await daemon() else { return }
        if let task = try? await daemon.task(id) {
            if task.status != .stopped {
                try? await daemon.killTask(id, signal: SIGKILL, all: true)
                _ = try? await daemon.waitTask(id)
            }
            _ = try? await daemon.deleteTask(id)
        }
        try? await daemon.deleteContainer(id)
        try? await daemon.removeSnapshot(id)
        try? FileManager.default.removeItem(at: directory(of: id))
    }
}
