public import Foundation
import HoistOCI
import HoistRuntime
import HoistStore

extension Client {
    /// Runs a container from `image` until it exits and returns its exit code (128 + n after
    /// signal n). Output is streamed to the handlers as it comes, each stream in order. The
    /// container's files are discarded afterwards; cancelling the task kills the container.
    ///
    /// Throws ``ClientError`` for an unknown image or a bad option, and the runtime's error when
    /// the command cannot be started (`notFound` for a command missing from the image).
    public func run(_ image: String, _ options: RunOptions = RunOptions(),
                    standardOutput: @escaping @Sendable (Data) -> Void,
                    standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        let local = try resolve(image)
        let imageConfig = local.config.config ?? ContainerConfig()
        let entrypoint = options.entrypoint ?? imageConfig.entrypoint ?? []
        // A new entrypoint drops the image's CMD, as docker run does.
        let command = options.command ?? (options.entrypoint == nil ? imageConfig.cmd ?? [] : [])
        let arguments = entrypoint + command
        guard !arguments.isEmpty else {
            throw ClientError(.invalidArgument, "no command given and image \(image) has neither ENTRYPOINT nor CMD")
        }
        for volume in options.volumes where !FileManager.default.fileExists(atPath: volume.host) {
            throw ClientError(.notFound, "volume source \(volume.host) does not exist")
        }
        var environment = imageConfig.env ?? []
        for entry in options.environment {
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            environment.removeAll { $0.split(separator: "=", maxSplits: 1).first.map(String.init) == name }
            environment.append(entry)
        }
        let settings = ContainerSettings(
            arguments: arguments, environment: environment,
            workingDirectory: options.workingDirectory ?? imageConfig.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/",
            user: options.user ?? imageConfig.user, network: options.hostNetwork ? .host : .none,
            mounts: options.volumes.map { .bind(source: $0.host, destination: $0.container, readOnly: $0.readOnly) },
            resources: ResourceLimits(
                memoryBytes: options.memoryBytes, cpuQuota: options.cpus.map { Int64($0 * 100_000) },
                cpuPeriod: options.cpus == nil ? nil : 100_000, pidsLimit: options.pidsLimit))

        let snapshotter = try store.snapshotter()
        let lease = try store.writeLease()
        defer { withExtendedLifetime(lease) {} }
        let unpacked = try LayerUnpacker(snapshotter: snapshotter).unpack(
            manifest: local.manifest, config: local.config, from: store.content)
        let key = try SnapshotKey("run/\(UUID().uuidString)")
        let mounts = try snapshotter.prepare(key: key, parent: unpacked.key)
        defer { try? snapshotter.remove(key) }
        let io = ContainerIO(
            standardInput: options.standardInput.map { .data($0) } ?? .none,
            standardOutput: standardOutput, standardError: standardError)
        return try await RuncExecutor(store: store.root).run(settings, rootfs: .mounts(mounts), io: io)
    }
}
