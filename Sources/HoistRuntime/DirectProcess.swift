#if canImport(Glibc)
    import Glibc
#endif
import CHoistSpawn
public import Foundation
import HoistOCI

/// A container's process started straight from this one — no runtime, no namespaces, the
/// process's own root as its root — for pod isolation, where nothing else is allowed: the
/// user, groups, environment, working directory and umask of a ``RuntimeSpec/Process`` (as
/// ``RuntimeSpecBuilder/process(rootfs:)`` makes it for `/`), the command looked up on its
/// PATH, stdin from `/dev/null`.
///
/// The process leads a process group of its own; when it ends (or the awaiting task is
/// cancelled) what is left of the group is killed, as a container's end kills everything in
/// it. A program that leaves the group (`setsid`) outlives the step, and its output is no
/// longer waited for a second after the step ended.
public struct DirectProcess: Sendable {
    /// What to run and as whom.
    public var process: RuntimeSpec.Process

    public init(_ process: RuntimeSpec.Process) {
        self.process = process
    }

    /// Runs the process to its end, handing its output over chunk by chunk as it comes, and
    /// returns how it ended. Throws a ``RuntimeError`` with its ``RuntimeError/startFailure``
    /// when the command is not found or cannot be executed, `failedPrecondition` when the user
    /// or directory cannot be taken, `cancelled` when the task was cancelled.
    public func run(
        standardOutput: @escaping @Sendable (Data) -> Void, standardError: @escaping @Sendable (Data) -> Void
    ) async throws -> ExitStatus {
        let environment = process.env ?? []
        let path = try Self.executable(process.args.first ?? "", environment: environment)
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw RuntimeError(.unavailable, "cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = try ExternalProcess.pipe()
        let errors: (read: Int32, write: Int32)
        do {
            errors = try ExternalProcess.pipe()
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        let spawned = spawn(path, input: input, output: output.write, error: errors.write)
        close(output.write)
        close(errors.write)
        let pid: pid_t
        switch spawned {
        case .success(let started):
            pid = started
        case .failure(let error):
            close(output.read)
            close(errors.read)
            throw error
        }
        let follower = Follower(pid: pid, output: output.read, error: errors.read, standardOutput: standardOutput, standardError: standardError)
        let status = await withTaskCancellationHandler {
            await follower.finished()
        } onCancel: {
            follower.cancel()
        }
        if Task.isCancelled { throw RuntimeError(.cancelled, "the step's process was killed because its task was cancelled") }
        return status
    }

    private func spawn(_ path: String, input: Int32, output: Int32, error: Int32) -> Result<pid_t, RuntimeError> {
        let argv = process.args.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = (process.env ?? []).map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        let groups = (process.user.additionalGids ?? []).map { gid_t($0) }
        var stage: Int32 = 0
        var code: Int32 = 0
        let pid = groups.withUnsafeBufferPointer { groups in
            hoist_spawn(
                path, argv, envp, process.cwd, uid_t(process.user.uid), gid_t(process.user.gid), groups.baseAddress, groups.count,
                mode_t(process.user.umask ?? 0o022), input, output, error, &stage, &code)
        }
        guard pid < 0 else { return .success(pid) }
        let reason = String(cString: strerror(code))
        let command = process.args.first ?? ""
        switch UInt32(stage) {
        case HOIST_SPAWN_EXEC.rawValue:
            let failure: ProcessStartFailure = code == ENOENT ? .commandNotFound : .notExecutable
            return .failure(RuntimeError(
                failure == .commandNotFound ? .notFound : .failedPrecondition,
                "cannot start the step's process: exec: \"\(command)\": \(reason)", startFailure: failure))
        case HOIST_SPAWN_DIRECTORY.rawValue:
            return .failure(RuntimeError(.failedPrecondition, "cannot start the step's process: chdir to \(process.cwd): \(reason)"))
        case HOIST_SPAWN_USER.rawValue, HOIST_SPAWN_GROUPS.rawValue:
            return .failure(RuntimeError(
                .failedPrecondition, "cannot start the step's process as uid \(process.user.uid), gid \(process.user.gid): \(reason)"))
        default:
            return .failure(RuntimeError(.unavailable, "cannot start the step's process: \(reason)"))
        }
    }

    /// `name` as the runtime finds it: a path as it is, a bare name on the environment's PATH
    /// (the default PATH without one). Throws `notFound` with the runtime's words when it is not there.
    static func executable(_ name: String, environment: [String]) throws -> String {
        guard !name.isEmpty else { throw RuntimeError(.invalidArgument, "no command to run") }
        if name.contains("/") { return name }
        let path = environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? RuntimeSpecBuilder.defaultPath
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var status = stat()
            if stat(candidate, &status) == 0, status.st_mode & S_IFMT != S_IFDIR, access(candidate, X_OK) == 0 { return candidate }
        }
        throw RuntimeError(
            .notFound, "cannot start the step's process: exec: \"\(name)\": executable file not found in $PATH",
            startFailure: .commandNotFound)
    }
}

/// Follows a spawned process from one thread: reads its two pipes as output comes, reaps it,
/// kills the rest of its process group, and reports how it ended.
private final class Follower: @unchecked Sendable {
    private let pid: pid_t
    private let descriptors: [Int32]
    private let handlers: [@Sendable (Data) -> Void]
    private let condition = NSCondition()
    private var status: ExitStatus?
    private var reaped = false
    private var continuation: CheckedContinuation<ExitStatus, Never>?
    /// How long output is still read after the process ended, from what it left running.
    private static let grace: Double = 1

    init(pid: pid_t, output: Int32, error: Int32, standardOutput: @escaping @Sendable (Data) -> Void,
         standardError: @escaping @Sendable (Data) -> Void) {
        self.pid = pid
        descriptors = [output, error]
        handlers = [standardOutput, standardError]
        Thread.detachNewThread { [self] in follow() }
    }

    func finished() async -> ExitStatus {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let status {
                condition.unlock()
                continuation.resume(returning: status)
            } else {
                self.continuation = continuation
                condition.unlock()
            }
        }
    }

    /// Kills the process group, unless the process was reaped (its id may be another's now).
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        if !reaped { kill(-pid, SIGKILL) }
    }

    private func follow() {
        var open = descriptors
        var exited: ExitStatus?
        var deadline: Double?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer {
            buffer.deallocate()
            for fd in descriptors { close(fd) }
        }
        while !open.isEmpty || exited == nil {
            if exited == nil {
                // With its output closed, the process is waited for; else looked at between reads.
                var raw: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(pid, &raw, open.isEmpty ? 0 : WNOHANG) } while result < 0 && errno == EINTR
                if result == pid || result < 0 {
                    exited = result == pid ? ExitStatus(waitStatus: raw) : .exited(255)
                    condition.lock()
                    reaped = true
                    // The rest of the step goes with it, as in a container. The group outlives
                    // its leader while it has members, so its id is still theirs.
                    kill(-pid, SIGKILL)
                    condition.unlock()
                    deadline = Date().timeIntervalSince1970 + Self.grace
                }
            }
            if let deadline, Date().timeIntervalSince1970 > deadline { break }
            if open.isEmpty { continue }
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), 50)
            guard ready > 0 else { continue }
            for entry in polled where entry.revents != 0 {
                let count = read(entry.fd, buffer.baseAddress, buffer.count)
                if count > 0 {
                    handlers[descriptors.firstIndex(of: entry.fd)!](Data(bytes: buffer.baseAddress!, count: count))
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        condition.lock()
        status = exited ?? .exited(255)
        let waiting = continuation
        continuation = nil
        condition.unlock()
        waiting?.resume(returning: status!)
    }
}
