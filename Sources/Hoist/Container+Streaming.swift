public import Foundation

/// What a streamed run (``Container/stream()``) gives, in the order it happens.
public enum ContainerOutputEvent: Sendable, Hashable {
    /// A chunk of the container's standard output.
    case standardOutput(Data)
    /// A chunk of its standard error.
    case standardError(Data)
    /// It has ended with this exit code: the last event.
    case exit(Int32)
}

extension Container {
    /// Runs the container to its end as ``run()`` does, but hands its output over as it comes
    /// instead of keeping it: chunks of both streams in arrival order (filter by case for one
    /// stream), then its exit code. Ending the iteration early (or cancelling its task) kills the
    /// container. Throws as ``run()`` does when it cannot be run at all.
    public func stream() -> AsyncThrowingStream<ContainerOutputEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let code = try await ContainerError.during(.run) {
                        try await image.client.containerBackend.run(
                            image.name, try runOptions(),
                            standardOutput: { continuation.yield(.standardOutput($0)) },
                            standardError: { continuation.yield(.standardError($0)) })
                    }
                    continuation.yield(.exit(code))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
