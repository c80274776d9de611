import Foundation
import Synchronization

/// A container to be made from an ``Image`` with its options; ``run()`` starts it, waits for it
/// and returns its output and exit code — the output too when the exit code is not zero, for
/// callers that read compiler errors and the like. Cancelling the task kills the container.
public struct Container: Sendable {
    public let image: Image
    public let options: [ContainerOption]

    /// Runs the container to its end. Throws only when it cannot be run at all (no such image,
    /// a command missing from it, a bad option); a failing command is a result, not an error.
    public func run() async throws -> ContainerRun {
        let collector = OutputCollector()
        let code = try await image.client.run(
            image.name, runOptions(),
            standardOutput: { collector.append($0, isError: false) },
            standardError: { collector.append($0, isError: true) })
        return collector.result(exitCode: code)
    }

    func runOptions() -> RunOptions {
        var run = RunOptions()
        for option in options {
            switch option {
            case .command(let command): run.command = command
            case .shell(let script): run.command = ["/bin/sh", "-c", script]
            case .entrypoint(let entrypoint): run.entrypoint = entrypoint
            case .environment(let variables):
                run.environment += variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            case .volume(let host, let container, let readOnly): run.volumes.append((host, container, readOnly))
            case .workingDirectory(let directory): run.workingDirectory = directory
            case .user(let user): run.user = user
            case .hostNetwork: run.hostNetwork = true
            case .standardInput(let data): run.standardInput = data
            case .memory(let bytes): run.memoryBytes = bytes
            case .cpus(let cpus): run.cpus = cpus
            case .pidsLimit(let limit): run.pidsLimit = limit
            }
        }
        return run
    }
}

/// Output chunks from both streams, in arrival order.
private final class OutputCollector: Sendable {
    private struct Chunks {
        var standardOutput = Data()
        var standardError = Data()
        var combined = Data()
    }

    private let chunks = Mutex(Chunks())

    func append(_ data: Data, isError: Bool) {
        chunks.withLock { chunks in
            if isError { chunks.standardError.append(data) } else { chunks.standardOutput.append(data) }
            chunks.combined.append(data)
        }
    }

    func result(exitCode: Int32) -> ContainerRun {
        chunks.withLock {
            ContainerRun(
                exitCode: exitCode, standardOutputData: $0.standardOutput, standardErrorData: $0.standardError,
                combinedData: $0.combined)
        }
    }
}
