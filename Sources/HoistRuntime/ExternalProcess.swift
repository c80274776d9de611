#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistOCI
import Synchronization

/// The one way Hoist starts another program (runc, crun, dockerd, a registry): it is spawned
/// with pipes, its output is read as it comes (so a chatty program never blocks on a full
/// pipe), it is always reaped, and cancelling the awaiting Swift task stops it (SIGKILL unless
/// ``onCancel`` says otherwise).
///
/// ```swift
/// let result = try await ExternalProcess("runc", ["--version"]).checked()
/// ```
public struct ExternalProcess: Sendable {
    /// What the program reads on stdin.
    public enum Input: Sendable {
        /// /dev/null.
        case none
        /// These bytes, then end of file.
        case data(Data)
        /// An open file descriptor of the caller's (it stays open).
        case fileDescriptor(Int32)
    }

    /// Where the program's stdout or stderr goes.
    public enum Output: Sendable {
        /// Kept in memory and returned in ``Termination``.
        case collect
        /// Thrown away (stderr still keeps its last 64 KiB for error messages).
        case discard
        /// Handed over chunk by chunk, in order, from a reader thread.
        case handler(@Sendable (Data) -> Void)
        /// Written straight to an open file descriptor of the caller's.
        case fileDescriptor(Int32)
    }

    /// What a finished program left.
    public struct Termination: Sendable {
        /// How it ended.
        public var status: ExitStatus
        /// Its stdout when collected, else empty.
        public var standardOutput: Data
        /// Its stderr when collected; otherwise its last 64 KiB when read through a handler or
        /// discarded.
        public var standardError: Data

        public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// The program: a path, or a name looked up on `PATH`.
    public var executable: String
    public var arguments: [String]
    /// The environment; nil inherits this process's.
    public var environment: [String: String]?
    /// The working directory; nil inherits this process's.
    public var directory: String?
    public var standardInput: Input = .none
    public var standardOutput: Output = .collect
    public var standardError: Output = .collect
    /// Called (once, on another thread) when the awaiting task is cancelled, with the process
    /// id; it must make the program end. Nil sends SIGKILL.
    public var onCancel: (@Sendable (Int32) -> Void)?
    /// Called (once, before ``run()`` waits) with the process id of the spawned program.
    public var onStart: (@Sendable (Int32) -> Void)?
    /// Start the program in a process group of its own, so that signals a terminal sends to
    /// this process's group (Ctrl-C) do not reach it as well.
    public var newProcessGroup = false

    public init(_ executable: String, _ arguments: [String] = []) {
        self.executable = executable
        self.arguments = arguments
    }

    /// Runs the program to its end and returns how it ended, whatever the exit status. Throws
    /// `notFound` when it cannot be started and `cancelled` when the task was cancelled (the
    /// program is stopped and reaped first).
    public func run() async throws -> Termination {
        let path = try Self.resolve(executable)
        let spawned = try spawn(path)
        onStart?(spawned.pid)
        let termination = await withTaskCancellationHandler {
            await spawned.monitor.finished()
        } onCancel: {
            let pid = spawned.pid
            if let onCancel {
                Thread.detachNewThread { onCancel(pid) }
            } else {
                spawned.monitor.killUnlessReaped(pid)
            }
        }
        if Task.isCancelled {
            throw RuntimeError(.cancelled, "\(executable) was stopped because its task was cancelled (\(termination.status))")
        }
        return termination
    }

    /// Runs the program and throws `unavailable` with its stderr unless it exits 0.
    @discardableResult
    public func checked() async throws -> Termination {
        let termination = try await run()
        guard termination.status == .exited(0) else {
            throw RuntimeError(.unavailable, Self.failure(executable, arguments, termination))
        }
        return termination
    }

    /// Runs the program synchronously on the calling thread (for cleanup paths that must not
    /// be cancelled); returns how it ended.
    public func runBlocking() throws -> Termination {
        let spawned = try spawn(try Self.resolve(executable))
        return spawned.monitor.waitBlocking()
    }

    /// A message naming the command, how it ended and what it wrote to stderr.
    static func failure(_ executable: String, _ arguments: [String], _ termination: Termination) -> String {
        let command = ([executable] + arguments).joined(separator: " ")
        let stderr = termination.errorText.trimmingCharacters(in: .whitespacesAndNewlines)
        return "`\(command)` failed with \(termination.status)" + (stderr.isEmpty ? "" : ": \(stderr)")
    }

    // MARK: - Spawning

    private struct Spawned {
        let pid: Int32
        let monitor: ProcessMonitor
    }

    /// The absolute path of `executable`, searched on `PATH` when it has no slash.
    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") {
            guard access(executable, X_OK) == 0 else {
                throw RuntimeError(.notFound, "cannot run \(executable): \(String(cString: strerror(errno)))")
            }
            return executable
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw RuntimeError(.notFound, "\(executable) is not installed (not found on PATH \(path))")
    }

    private func spawn(_ path: String) throws -> Spawned {
        Self.ignoreSIGPIPE
        var toClose: [Int32] = []
        var parentEnds: [Int32] = []
        defer { for fd in toClose { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // stdin
        var inputWriter: Int32?
        switch standardInput {
        case .none:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .fileDescriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, 0)
        case .data:
            let (read, write) = try Self.pipe()
            toClose.append(read)
            parentEnds.append(write)
            inputWriter = write
            posix_spawn_file_actions_adddup2(&actions, read, 0)
        }
        // stdout, stderr
        var readers: [(fd: Int32, output: Output, isError: Bool)] = []
        for (target, output) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch output {
            case .fileDescriptor(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            case .collect, .discard, .handler:
                let (read, write) = try Self.pipe()
                toClose.append(write)
                parentEnds.append(read)
                readers.append((read, output, target == 2))
                posix_spawn_file_actions_adddup2(&actions, write, target)
            }
        }

        // Descriptors this process inherited without close-on-exec (a test runner's socket, a
        // caller's files) must not reach the program: a detached container would hold them open
        // for as long as it runs.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        // What a foreground run's SignalForwarder catches here is ignored while it is being
        // set up; a program started meanwhile must not inherit that.
        for signal in SignalForwarder.forwardedSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentList = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentList.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let status: Int32
        if let directory {
            // posix_spawn has no portable chdir action in Glibc's Swift module: go through env -C.
            let wrapped = ["/usr/bin/env", "-C", directory, path] + arguments
            let wrappedArgv = wrapped.map { strdup($0) } + [nil]
            defer { for pointer in wrappedArgv { free(pointer) } }
            status = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, wrappedArgv, envp)
        } else {
            status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        }
        guard status == 0 else {
            for fd in parentEnds { close(fd) }
            throw RuntimeError(.notFound, "cannot start \(path): \(String(cString: strerror(status)))")
        }

        let monitor = ProcessMonitor(pid: pid, pending: readers.count + 1)
        for reader in readers {
            monitor.startReader(fd: reader.fd, output: reader.output, isError: reader.isError)
        }
        if let inputWriter, case .data(let data) = standardInput {
            Thread.detachNewThread {
                Self.writeAll(data, to: inputWriter)
                close(inputWriter)
            }
        }
        monitor.startWaiter()
        return Spawned(pid: pid, monitor: monitor)
    }

    /// Writes until done or the reader goes away (EPIPE: the program did not want it all).
    private static func writeAll(_ data: Data, to fd: Int32) {
        _ = writeFully(data, to: fd)
    }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    // pipe2 is behind _GNU_SOURCE in Glibc's Swift module; O_CLOEXEC must be set atomically so
    // that a program spawned by another thread meanwhile does not inherit our pipe ends.
    private static let pipe2: Pipe2 = unsafeBitCast(dlsym(nil, "pipe2")!, to: Pipe2.self)

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    // Also behind _GNU_SOURCE (glibc 2.34 and later); without it inherited descriptors pass on.
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe2(&fds, O_CLOEXEC) == 0 else {
            throw RuntimeError(.unavailable, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    /// A write to a pipe whose reader has gone must fail with EPIPE, not kill Hoist.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()
}

/// Follows one child: its reader threads and its reaper, and the task waiting for all of them.
final class ProcessMonitor: @unchecked Sendable {
    private let pid: Int32
    private let condition = NSCondition()
    private var pending: Int
    private var status: ExitStatus?
    private var reaped = false
    private var output = Data()
    private var errorOutput = Data()
    private var continuation: CheckedContinuation<ExternalProcess.Termination, Never>?
    private static let errorTail = 64 * 1024

    init(pid: Int32, pending: Int) {
        self.pid = pid
        self.pending = pending
    }

    func startReader(fd: Int32, output: ExternalProcess.Output, isError: Bool) {
        Thread.detachNewThread { [self] in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer {
                buffer.deallocate()
                close(fd)
            }
            while true {
                let count = read(fd, buffer.baseAddress, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let chunk = Data(bytes: buffer.baseAddress!, count: count)
                switch output {
                case .collect:
                    append(chunk, isError: isError, keepAll: true)
                case .handler(let handler):
                    handler(chunk)
                    if isError { append(chunk, isError: true, keepAll: false) }
                case .discard:
                    if isError { append(chunk, isError: true, keepAll: false) }
                case .fileDescriptor:
                    break
                }
            }
            finishOne()
        }
    }

    func startWaiter() {
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            var result: Int32
            repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
            condition.lock()
            // Only ECHILD fails here: someone else reaped our child, so its status is lost.
            status = result == pid ? ExitStatus(waitStatus: raw) : .exited(255)
            reaped = true
            condition.unlock()
            finishOne()
        }
    }

    /// SIGKILL, unless the pid was reaped already (and might belong to someone else now).
    func killUnlessReaped(_ pid: Int32) {
        condition.lock()
        defer { condition.unlock() }
        if !reaped { kill(pid, SIGKILL) }
    }

    /// True once the child has been reaped.
    var hasExited: Bool {
        condition.lock()
        defer { condition.unlock() }
        return reaped
    }

    func finished() async -> ExternalProcess.Termination {
        await withCheckedContinuation { continuation in
            condition.lock()
            if pending == 0 {
                let result = termination
                condition.unlock()
                continuation.resume(returning: result)
            } else {
                self.continuation = continuation
                condition.unlock()
            }
        }
    }

    func waitBlocking() -> ExternalProcess.Termination {
        condition.lock()
        defer { condition.unlock() }
        while pending > 0 { condition.wait() }
        return termination
    }

    private var termination: ExternalProcess.Termination {
        ExternalProcess.Termination(status: status ?? .exited(-1), standardOutput: output, standardError: errorOutput)
    }

    private func append(_ chunk: Data, isError: Bool, keepAll: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if !isError {
            output.append(chunk)
            return
        }
        errorOutput.append(chunk)
        if !keepAll && errorOutput.count > Self.errorTail {
            errorOutput = errorOutput.suffix(Self.errorTail)
        }
    }

    private func finishOne() {
        condition.lock()
        pending -= 1
        guard pending == 0 else {
            condition.unlock()
            return
        }
        condition.broadcast()
        let waiting = continuation
        continuation = nil
        let result = termination
        condition.unlock()
        waiting?.resume(returning: result)
    }
}
