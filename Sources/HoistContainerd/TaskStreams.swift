#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import Synchronization

/// The standard streams of a task or exec'd process, attached through FIFOs that the shim
/// opens: output read on threads of their own and handed to the handlers as it comes, input
/// written and then closed. Make one before creating the task, give the task its
/// ``stdio``, and after the process ended wait for ``drained()``. The shim holds the input
/// FIFO open itself: once ``inputWritten()`` returns, close the process's input with
/// ``ContainerdClient/closeStandardInput(_:execID:)`` for it to read its end.
public final class TaskStreams: Sendable {
    /// The FIFO paths to create the task with.
    public let stdio: TaskStdio
    private let directory: URL
    private let pending: Mutex<[Pipe]>
    private let finished = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))
    private let inputFinished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let expected: Int

    /// One FIFO and whether its thread is done with it.
    private struct Pipe: Sendable {
        let path: String
        let isInput: Bool
    }

    /// Makes the FIFOs in a new directory below `parent` and starts their threads.
    public init(
        in parent: URL, standardInput: Data?, standardOutput: @escaping @Sendable (Data) -> Void,
        standardError: @escaping @Sendable (Data) -> Void
    ) throws {
        let directory = parent.appendingPathComponent("io-\(UUID().uuidString)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let output = directory.appendingPathComponent("stdout").path
        let error = directory.appendingPathComponent("stderr").path
        let input = standardInput.map { _ in directory.appendingPathComponent("stdin").path }
        for path in [output, error] + (input.map { [$0] } ?? []) where mkfifo(path, 0o600) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: directory)
            throw ContainerdError(.unavailable, "cannot make the FIFO \(path): \(reason)")
        }
        stdio = TaskStdio(standardInput: input ?? "", standardOutput: output, standardError: error)
        var pipes = [Pipe(path: output, isInput: false), Pipe(path: error, isInput: false)]
        if let input { pipes.append(Pipe(path: input, isInput: true)) }
        pending = Mutex(pipes)
        expected = pipes.count
        // A container that stops reading its input must fail the write, not end this process.
        signal(SIGPIPE, SIG_IGN)
        Thread.detachNewThread { [self] in self.read(output, into: standardOutput) }
        Thread.detachNewThread { [self] in self.read(error, into: standardError) }
        if let input, let standardInput {
            Thread.detachNewThread { [self] in self.write(standardInput, to: input) }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Returns once every stream is done: the outputs at their end (the shim closes them after
    /// the process and its children let go of them) and the input written.
    public func drained() async {
        await withCheckedContinuation { continuation in
            let done = finished.withLock { state in
                if state.count == expected { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Whether there is input to write.
    public var hasInput: Bool { !stdio.standardInput.isEmpty }

    /// Returns once the input is written (or could not be, the process having gone).
    public func inputWritten() async {
        await withCheckedContinuation { continuation in
            let done = inputFinished.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Waits for ``drained()`` at most `timeout`; true when it drained.
    public func drained(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.drained()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            // The drain waiter cannot be cancelled: release it by ending the streams.
            if !first { self.abandon() }
            await group.waitForAll()
            return first
        }
    }

    /// Ends the streams whose peer never came (the task could not be created) or lingers, so
    /// that their threads finish.
    public func abandon() {
        while true {
            let left = pending.withLock { $0 }
            guard !left.isEmpty else { return }
            for pipe in left {
                // Opening the other end releases a thread blocked in open(2); closing it ends the stream.
                let descriptor = open(pipe.path, (pipe.isInput ? O_RDONLY : O_WRONLY) | O_NONBLOCK | O_CLOEXEC)
                if descriptor >= 0 { close(descriptor) }
            }
            usleep(1000)
        }
    }

    private func read(_ path: String, into handler: @Sendable (Data) -> Void) {
        defer { done(path) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            handler(Data(buffer[0..<count]))
        }
    }

    private func write(_ data: Data, to path: String) {
        defer {
            done(path)
            for waiter in inputFinished.withLock({ state -> [CheckedContinuation<Void, Never>] in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }) { waiter.resume() }
        }
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                offset += count
            }
        }
    }

    private func done(_ path: String) {
        pending.withLock { $0.removeAll { $0.path == path } }
        let waiters = finished.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.count += 1
            guard state.count == expected else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
