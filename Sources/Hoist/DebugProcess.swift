#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistRuntime
import Synchronization

/// A process started in a ``DebugContainer``: write to its stdin, signal it, resize its
/// terminal, wait for its exit code. Its output goes to the handlers given to `start`.
public final class DebugProcess: Sendable {
    /// What the process reads on stdin.
    public enum Input: Sendable {
        /// Nothing (end of file at once).
        case none
        /// These bytes, then end of file.
        case data(Data)
        /// What ``write(_:)`` sends, until ``closeInput()``. A process with a terminal always
        /// reads its input so.
        case interactive
    }

    /// The runtime's name for the process's container.
    let id: String
    private let bundle: String
    private let container: DebugContainer
    private let terminal: PseudoTerminal?
    private let run: Task<Int32, any Error>
    /// Where ``write(_:)`` writes, until ``closeInput()`` (-1 when closed or never open).
    private let input: Mutex<Int32>
    private let runtime: RuntimeProcess

    init(
        id: String, bundle: String, container: DebugContainer, terminal size: TerminalSize?, standardInput: Input,
        standardOutput: @escaping @Sendable (Data) -> Void, standardError: @escaping @Sendable (Data) -> Void
    ) throws {
        self.id = id
        self.bundle = bundle
        self.container = container
        var io = ContainerIO(standardOutput: standardOutput, standardError: standardError)
        // Descriptors the runtime gets: ours are closed once it has them, so that its end (and
        // the end of the input) is seen.
        var handedOver: [Int32] = []
        if let size {
            let pty = try PseudoTerminal(columns: size.columns, rows: size.rows)
            terminal = pty
            io.standardInput = .fileDescriptor(pty.follower)
            io.standardOutputDescriptor = pty.follower
            io.standardErrorDescriptor = pty.follower
            handedOver = [pty.follower]
            input = Mutex(pty.leader)
        } else {
            terminal = nil
            switch standardInput {
            case .none:
                input = Mutex(-1)
            case .data(let data):
                io.standardInput = .data(data)
                input = Mutex(-1)
            case .interactive:
                var fds: [Int32] = [0, 0]
                guard pipe(&fds) == 0 else {
                    throw ClientError(.unavailable, "cannot create a pipe: \(String(cString: strerror(errno)))")
                }
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                io.standardInput = .fileDescriptor(fds[0])
                handedOver = [fds[0]]
                input = Mutex(fds[1])
            }
        }
        let runtime = RuntimeProcess(handedOver: handedOver)
        self.runtime = runtime
        io.onStart = { pid in runtime.started(pid) }
        let drained = terminal.map { Self.relay(from: $0.leader, to: standardOutput) }
        let executor = container.executor
        run = Task { [io] in
            defer { runtime.ended() }
            let code = try await executor.runBundle(id: id, bundle: bundle, io: io)
            await drained?.value
            return code
        }
    }

    deinit {
        input.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    /// Sends `data` to the process's stdin (or its terminal). `failedPrecondition` when the
    /// input is not interactive or was closed.
    public func write(_ data: Data) throws {
        try input.withLock { fd in
            guard fd >= 0 else { throw ClientError(.failedPrecondition, "the debug process's input is closed") }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else {
                        throw ClientError(.unavailable, "cannot write to the debug process: \(String(cString: strerror(errno)))")
                    }
                    offset += written
                }
            }
        }
    }

    /// Ends the process's input (a terminal's is closed when the process ends).
    public func closeInput() {
        guard terminal == nil else { return }
        input.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Sends `signal` (`TERM`, `SIGINT`, `9` …) to the process. `failedPrecondition` once it has ended.
    public func signal(_ signal: String) throws {
        guard !runtime.hasEnded else { throw ClientError(.failedPrecondition, "the debug process has ended") }
        let bare = signal.uppercased().hasPrefix("SIG") ? String(signal.dropFirst(3)) : signal
        try container.executor.signal(id, bare)
    }

    /// Sets the window size of the process's terminal. `failedPrecondition` for a process
    /// without a terminal or one that has ended.
    public func resize(_ size: TerminalSize) throws {
        guard let terminal else { throw ClientError(.failedPrecondition, "the debug process has no terminal to resize") }
        try terminal.resize(columns: size.columns, rows: size.rows)
        // The runtime sizes the container's terminal from its own (the follower) on SIGWINCH.
        guard runtime.signal(SIGWINCH) else { throw ClientError(.failedPrecondition, "the debug process has ended") }
    }

    /// Waits for the process to end and returns its exit code (128 + n after signal n), once
    /// all its output has reached the handlers.
    public func wait() async throws -> Int32 {
        defer { finish() }
        return try await run.value
    }

    /// Returns once the runtime reports the process running, or it has already ended.
    func waitUntilRunning() async throws {
        for attempt in 0..<2000 {
            if runtime.hasEnded {
                // A start failure surfaces here; an exit code is left for wait().
                _ = try await run.value
                return
            }
            if attempt % 4 == 3, container.executor.status(of: id) == "running" { return }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        throw ClientError(.unavailable, "debug process \(id) did not start within 10 seconds")
    }

    private func finish() {
        container.ended(id)
        try? FileManager.default.removeItem(atPath: bundle)
        // A terminal's leader side is its input too: closed here, once.
        if terminal != nil {
            input.withLock { fd in
                if fd >= 0 { close(fd) }
                fd = -1
            }
        }
    }

    /// Reads a terminal's output until the last writer has gone (EIO), handing it over in order.
    private static func relay(from fd: Int32, to handler: @escaping @Sendable (Data) -> Void) -> Task<Void, Never> {
        Task {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
                    defer { buffer.deallocate() }
                    while true {
                        let count = read(fd, buffer.baseAddress, buffer.count)
                        if count < 0 && errno == EINTR { continue }
                        if count <= 0 { break }
                        handler(Data(bytes: buffer.baseAddress!, count: count))
                    }
                    done.resume()
                }
            }
        }
    }
}

/// The runtime's side of a debug process: the descriptors handed to it (closed here once it
/// has them, so that its end, and the end of the input, is seen), its process id, and whether
/// it has ended (its id may then belong to another process).
private final class RuntimeProcess: Sendable {
    private struct State {
        var handedOver: [Int32]
        var pid: Int32?
        var ended = false
    }

    private let state: Mutex<State>

    init(handedOver: [Int32]) {
        state = Mutex(State(handedOver: handedOver))
    }

    func started(_ pid: Int32) {
        state.withLock { state in
            state.pid = pid
            closeHandedOver(&state)
        }
    }

    func ended() {
        state.withLock { state in
            state.ended = true
            closeHandedOver(&state)
        }
    }

    var hasEnded: Bool { state.withLock { $0.ended } }

    /// Sends `signal` to the runtime itself; false once it has ended.
    func signal(_ signal: Int32) -> Bool {
        state.withLock { state in
            guard let pid = state.pid, !state.ended else { return false }
            return kill(pid, signal) == 0
        }
    }

    private func closeHandedOver(_ state: inout State) {
        for fd in state.handedOver { close(fd) }
        state.handedOver = []
    }
}
