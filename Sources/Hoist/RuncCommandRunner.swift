import Foundation
import HoistBuild
import HoistRuntime

/// Runs the build's RUN steps with the runc executor, in the step's mounted snapshot.
struct RuncCommandRunner: CommandRunner {
    let executor: RuncExecutor

    func run(_ command: CommandSpec, rootfs: String,
             output: @escaping @Sendable (ProgressEvent.Stream, [UInt8]) -> Void) async throws -> Int32 {
        var mounts: [ContainerMount] = command.binds.map { .bind(source: $0.source, destination: $0.destination, readOnly: $0.readOnly) }
        mounts += command.tmpfs.sorted { $0.key < $1.key }.map { .tmpfs(destination: $0.key, sizeBytes: $0.value) }
        let settings = ContainerSettings(
            arguments: command.arguments, environment: command.environment, workingDirectory: command.workingDirectory,
            user: command.user.isEmpty ? nil : command.user, hostname: "buildkitsandbox",
            network: command.network == .none ? .none : .host, mounts: mounts,
            capabilitiesAdded: command.insecure ? ["ALL"] : [])
        let io = ContainerIO(
            standardOutput: { output(.stdout, Array($0)) },
            standardError: { output(.stderr, Array($0)) })
        return try await executor.run(settings, rootfs: .directory(rootfs), io: io)
    }
}
