import Foundation
package import HoistBackend
package import HoistBuild
package import HoistRuntime
package import HoistStore
import Synchronization

/// Runs the build's RUN steps with the runc/crun executor, in the step's mounted snapshot.
///
/// The executor is made on the first RUN: choosing the runtime starts a probe container, a cost
/// a build served wholly from the cache should not pay. A step on the default network takes a
/// prepared namespace from ``ContainerNetworking``'s pool and hands it back afterwards.
package final class RuncCommandRunner: CommandRunner {
    private let store: StoreRoot
    private let limits: StepLimits
    private let executor = Mutex<RuncExecutor?>(nil)
    private let networking: ContainerNetworking
    /// Whether this build has swept attachments left by killed processes yet.
    private let swept = Mutex(false)

    package init(store: StoreRoot, limits: StepLimits = .none, networking: ContainerNetworking = ContainerNetworking()) {
        self.store = store
        self.limits = limits
        self.networking = networking
    }

    private var resolvedExecutor: RuncExecutor {
        executor.withLock { existing in
            if let existing { return existing }
            let made = RuncExecutor(store: store)
            existing = made
            return made
        }
    }

    package func run(_ command: CommandSpec, rootfs: String,
             output: @escaping @Sendable (ProgressEvent.Stream, [UInt8]) -> Void) async throws -> Int32 {
        // Before anything starts: a foreign step without an emulator fails, never runs as the host's.
        if let platform = command.platform { try PlatformSupport().checkRunnable(platform, forBuildStep: true) }
        var mounts: [ContainerMount] = command.binds.map { .bind(source: $0.source, destination: $0.destination, readOnly: $0.readOnly) }
        mounts += command.tmpfs.sorted { $0.key < $1.key }.map { .tmpfs(destination: $0.key, sizeBytes: $0.value) }
        var settings = ContainerSettings(
            arguments: command.arguments, environment: command.environment, workingDirectory: command.workingDirectory,
            user: command.user.isEmpty ? nil : command.user, hostname: "buildkitsandbox",
            network: command.network == .none ? .none : .host, mounts: mounts,
            resources: ResourceLimits(
                memoryBytes: limits.memoryBytes, cpuQuota: limits.cpuQuota,
                cpuPeriod: limits.cpuQuota == nil ? nil : limits.cpuPeriod ?? 100_000),
            capabilitiesAdded: command.insecure ? ["ALL"] : [], capabilitiesDropped: limits.capabilitiesDropped)
        // As in BuildKit, a step cannot change its /etc/hosts and /etc/resolv.conf.
        settings.nameResolution.readOnly = true
        // `RUN --security=insecure` is a privileged container, as BuildKit makes it.
        settings.privileged = command.insecure
        settings.primaryGroupIsSupplementary = false
        let io = ContainerIO(
            standardOutput: { output(.stdout, Array($0)) },
            standardError: { output(.stderr, Array($0)) })
        // Without root there is no bridge network (CNI needs root): such a build keeps the
        // host's network, as rootless BuildKit without a network helper does.
        guard command.network == .sandbox, ContainerNetworking.isSupported else {
            return try await resolvedExecutor.run(settings, rootfs: .directory(rootfs), io: io)
        }
        if swept.withLock({ done in defer { done = true }; return !done }) { await networking.sweep() }
        let attachment = try await networking.takeFromPool(try NetworkDefinition.defaultNetwork())
        settings.network = .namespace(attachment.namespace)
        // A step with every capability may have changed its namespace: it is not reused.
        let reusable = !command.insecure
        let code: Int32
        do {
            code = try await resolvedExecutor.run(settings, rootfs: .directory(rootfs), io: io)
        } catch {
            await networking.giveBack(attachment, reusable: reusable)
            throw error
        }
        await networking.giveBack(attachment, reusable: reusable)
        return code
    }
}
