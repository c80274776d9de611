#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistBackend
import HoistBuild
import HoistRuntime

/// Runs RUN steps in pod isolation: the step's process is started straight from hoist
/// (``DirectProcess``) in the live tree that is the container's own `/`, as the step's user
/// with the environment and working directory a runtime would give, its `--mount`s made by
/// ``PodMounts``. No namespace, no seccomp filter and no capability set of its own: the step
/// has what the container gives hoist — its network too, for the default network and `host`,
/// as a rootless build without a network helper keeps the host's; `none` is refused.
final class PodCommandRunner: CommandRunner {
    func run(_ command: CommandSpec, rootfs: String,
             output: @escaping @Sendable (ProgressEvent.Stream, [UInt8]) -> Void) async throws -> Int32 {
        guard rootfs == "/" else {
            throw ClientError(.internal, "pod isolation runs steps in the container's own root, not in \(rootfs)")
        }
        if let platform = command.platform { try PlatformSupport().checkRunnable(platform, forBuildStep: true) }
        guard command.network != .none else {
            throw ClientError(
                .unsupported,
                "RUN --network=none (or --network none) needs a network namespace, which pod isolation cannot make: the step would have the container's network")
        }
        var settings = ContainerSettings(
            arguments: command.arguments, environment: command.environment, workingDirectory: command.workingDirectory,
            user: command.user.isEmpty ? nil : command.user, hostname: "buildkitsandbox", network: .host)
        settings.primaryGroupIsSupplementary = false
        let process = try RuntimeSpecBuilder(settings).process(rootfs: rootfs)
        // As a runtime does, the working directory is made when missing (the worker removes it
        // again if the step leaves it empty).
        try FileManager.default.createDirectory(atPath: process.cwd, withIntermediateDirectories: true)
        let mounts = try PodMounts(binds: command.binds, tmpfs: command.tmpfs, root: rootfs)
        defer { mounts.restore() }
        let status = try await DirectProcess(process).run(
            standardOutput: { output(.stdout, Array($0)) }, standardError: { output(.stderr, Array($0)) })
        return status.code
    }
}
