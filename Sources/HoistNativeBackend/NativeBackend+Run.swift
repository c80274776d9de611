public import Foundation
public import HoistBackend
package import HoistOCI
package import HoistRuntime
public import HoistStore

extension NativeBackend {
    /// Runs a container from `image` until it exits and returns its exit code (128 + n after
    /// signal n). Output is streamed to the handlers as it comes, each stream in order. The
    /// container's files are discarded afterwards; cancelling the task kills the container.
    ///
    /// Throws ``ClientError`` for an unknown image or a bad option, and the runtime's error when
    /// the command cannot be started (`notFound` for a command missing from the image).
    public func run(_ image: String, _ options: RunOptions = RunOptions(),
                    standardOutput: @escaping @Sendable (Data) -> Void,
                    standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let local = try resolveRunnable(image, platform: options.platform)
        let settings = try containerSettings(image: image, config: local.config, options)
        let request = try ContainerNetworkRequest(options, config: local.config.config ?? ContainerConfig())
        let snapshotter = try store.snapshotter()
        // The lease keeps the image in use, as a container's record does (pruning leaves it),
        // and its snapshot; should this process die, the next hoist command removes both.
        return try await store.withLease("run") { lease in
            try lease.hold([.image(try local.target.digest.description)])
            let unpacked = try LayerUnpacker(snapshotter: snapshotter).unpack(
                manifest: local.manifest, config: local.config, from: store.content)
            let key = try SnapshotKey("run/\(UUID().uuidString)")
            let mounts = try snapshotter.prepare(key: key, parent: unpacked.key)
            defer { try? snapshotter.remove(key) }
            var settings = settings
            let attachment = try await joinNetwork(
                request, id: ContainerRecord.newID(), names: options.name.map { [$0] } ?? [], settings: &settings)
            let code: Int32
            do {
                code = try await RuncExecutor(store: store.root).run(
                    settings, rootfs: .mounts(mounts), io: Self.containerIO(options, standardOutput: standardOutput, standardError: standardError))
            } catch {
                await leaveNetwork(attachment, reusable: !Self.mayChangeNetwork(settings))
                throw error
            }
            await leaveNetwork(attachment, reusable: !Self.mayChangeNetwork(settings))
            return code
        }
    }

    /// The stdio of a container run with `options`: a terminal uses this process's own
    /// descriptors, as the runtime needs them for the pseudo-terminal.
    static func containerIO(_ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
                            standardError: @escaping @Sendable (Data) -> Void) -> ContainerIO {
        var io = ContainerIO(
            standardInput: options.terminal ? .fileDescriptor(0) : options.standardInput.map { .data($0) } ?? .none,
            standardOutput: standardOutput, standardError: standardError)
        io.forwardsSignals = options.signalProxy
        io.sharesTerminal = options.terminal
        if options.terminal {
            io.standardOutputDescriptor = 1
            io.standardErrorDescriptor = 2
        }
        return io
    }

    /// What the runtime is asked to run for `options` on an image with `config`, as `docker
    /// run` reads its flags: a new entrypoint drops the image's CMD; `-e` replaces variables of
    /// the same name.
    package func containerSettings(image: String, config imageConfig: ImageConfig, _ options: RunOptions) throws -> ContainerSettings {
        let config = imageConfig.config ?? ContainerConfig()
        let entrypoint = options.entrypoint ?? config.entrypoint ?? []
        let command = options.command ?? (options.entrypoint == nil ? config.cmd ?? [] : [])
        let arguments = entrypoint + command
        guard !arguments.isEmpty else {
            throw ClientError(.invalidArgument, "no command given and image \(image) has neither ENTRYPOINT nor CMD")
        }
        for volume in options.volumes where volume.host.hasPrefix("/") && !FileManager.default.fileExists(atPath: volume.host) {
            throw ClientError(.notFound, "volume source \(volume.host) does not exist")
        }
        // A name rather than a path is a named volume, made on first use. An anonymous one (no
        // source) is made by createContainer; a one-off run keeps that path in its own files,
        // which are discarded as Docker discards the volume of `--rm`.
        let volumes = try options.volumes.filter { !$0.host.isEmpty }.map { volume in
            (host: volume.host.hasPrefix("/") ? volume.host : try volumeSource(volume.host), volume.container, volume.readOnly)
        }
        let initCommand = try options.initProcess ? ContainerInit.find() : nil
        let environment = EnvironmentList.overriding(config.env ?? [], with: options.environment)
        let cpu = try options.cpus.map { try ResourceLimits.cpuQuota(cpus: $0) }
        let resources = try ResourceLimits(
            memoryBytes: options.memoryBytes, cpuQuota: cpu?.quota, cpuPeriod: cpu?.period, pidsLimit: options.pidsLimit
        ).validated()
        var settings = ContainerSettings(
            arguments: (initCommand == nil ? [] : [ContainerInit.containerPath, "--"]) + arguments, environment: environment,
            workingDirectory: options.workingDirectory ?? config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/",
            user: options.user ?? config.user, network: options.network == .host ? .host : .none,
            mounts: volumes.map { ContainerMount.bind(source: $0.host, destination: $0.1, readOnly: $0.2) } + options.mounts
                + (initCommand.map { [ContainerMount.bind(source: $0, destination: ContainerInit.containerPath, readOnly: true)] } ?? []),
            resources: resources,
            capabilitiesAdded: options.capabilitiesAdded, capabilitiesDropped: options.capabilitiesDropped,
            readOnlyRootFilesystem: options.readOnlyRootFilesystem)
        settings.terminal = options.terminal
        settings.nameResolution = options.nameResolution
        settings.hostname = options.hostname ?? String(ContainerRecord.newID().prefix(12))
        settings.security = try SecurityOptions.parse(options.securityOptions)
        settings.privileged = options.privileged
        settings.ulimits = options.ulimits.isEmpty ? nil : options.ulimits
        settings.shmSizeBytes = options.shmSizeBytes
        settings.devices = options.devices.isEmpty ? nil : options.devices
        return settings
    }
}
