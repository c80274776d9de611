#if canImport(Glibc)
    import Glibc
#endif
import CHoistSpawn
public import Foundation

/// Containers that outlive the call that started them (`hoist run -d`), without a daemon: a
/// small shell monitor, detached into a session of its own, runs the runtime in the foreground
/// with the container's output going straight to log files, then writes the exit code to a
/// file. Whoever asks later reads those files and the runtime's state.
extension RuncExecutor {
    /// Where a detached container's output and exit code go.
    public struct DetachedFiles: Sendable {
        public var standardOutput: String
        public var standardError: String
        /// Holds the exit code (one decimal line) once the container has ended.
        public var exitStatus: String
        /// Made by whoever stops the container on purpose: its restart policy no longer applies.
        public var stopRequest: String?
        /// The exit code of every run, one line each, appended by the monitor: how many times a
        /// restarting container has ended, and how each run ended.
        public var exitHistory: String { exitStatus + ".history" }
        /// Holds the monitor's process ID (one decimal line) from its start on: what a systemd
        /// unit of the container follows (`PIDFile=`).
        public var monitorProcessID: String { exitStatus + ".monitor-pid" }
        /// Where the time of each piece of output goes (see ``LogIndex``), when it is kept; nil
        /// leaves the output in the two files only.
        public var logIndex: String?

        public init(standardOutput: String, standardError: String, exitStatus: String, stopRequest: String? = nil,
                    logIndex: String? = nil) {
            self.standardOutput = standardOutput
            self.standardError = standardError
            self.exitStatus = exitStatus
            self.stopRequest = stopRequest
            self.logIndex = logIndex
        }
    }

    /// The monitor: `$1`…`$6` are the output, error and status files, the restart policy
    /// (`no`, `on-failure`, `always`), the most restarts (0: no bound) and the stop-request
    /// file; the rest is the runtime's command line. The exit status is renamed into place so a
    /// reader never sees it half-written, after each run, and appended to the exit history
    /// (``DetachedFiles/exitHistory``); the monitor's own PID goes to
    /// ``DetachedFiles/monitorProcessID`` first. A restart removes the status again, after
    /// Docker's delay (100 ms, doubling, back to 100 ms after a run of 10 s or more).
    ///
    /// The container's output goes to the monitor's own stdout and stderr (kept as descriptors 3
    /// and 4): the log files themselves, or the pipes of a logger that times it (``LogIndex``).
    static let monitorScript = """
        exec </dev/null 3>&1 4>&2 >/dev/null 2>&1
        out=$1 err=$2 status=$3 policy=$4 most=$5 stopped=$6
        shift 6
        printf '%s\\n' "$$" >"$status.monitor-pid.tmp" && mv -f "$status.monitor-pid.tmp" "$status.monitor-pid"
        restarts=0 delay=100
        # Stopped on purpose, or removed (its log went with it).
        wanted() { [ ! -e "$stopped" ] && [ -e "$out" ]; }
        while :; do
            began=$(date +%s)
            "$@" >&3 2>&4 3>&- 4>&-
            code=$?
            printf '%s\\n' "$code" >"$status.tmp" && mv -f "$status.tmp" "$status"
            printf '%s\\n' "$code" >>"$status.history"
            case $policy in
            always) ;;
            on-failure) [ "$code" -ne 0 ] || break; [ "$most" -eq 0 ] || [ "$restarts" -lt "$most" ] || break ;;
            *) break ;;
            esac
            wanted || break
            [ $(( $(date +%s) - began )) -ge 10 ] && delay=100
            sleep "$((delay / 1000)).$(printf '%03d' $((delay % 1000)))"
            wanted || break
            [ "$delay" -lt 60000 ] && delay=$((delay * 2))
            restarts=$((restarts + 1))
            rm -f "$status"
        done
        """

    /// Starts the container of `bundle` as `id` in the background and returns once its process
    /// runs (or has already ended). Throws, as ``runBundle(id:bundle:io:)`` does, when the
    /// process cannot be started (`notFound` for a missing command).
    public func startDetached(id: String, bundle: String, files: DetachedFiles, restart: RestartPolicy = .no) async throws {
        unlink(files.exitStatus)
        let logPath = bundle + "/runtime.log"
        let command = runtime.process(
            ["--root", stateDirectory.path, "--log", logPath, "--log-format", "json", "run", "--bundle", bundle, id])
        var monitor = ExternalProcess(
            try ExternalProcess.resolve("setsid"),
            ["-f", "/bin/sh", "-c", Self.monitorScript, "hoist-monitor", files.standardOutput, files.standardError, files.exitStatus]
                + Self.monitorArguments(restart) + [files.stopRequest ?? "/nonexistent/hoist-stop-request",
             command.executable] + command.arguments)
        let output = try Self.openOutput(files)
        defer {
            close(output.standardOutput)
            close(output.standardError)
        }
        monitor.standardOutput = .fileDescriptor(output.standardOutput)
        monitor.standardError = .fileDescriptor(output.standardError)
        let started = try await monitor.run()
        guard started.status == .exited(0) else {
            throw RuntimeError(.unavailable, "cannot start the container monitor: setsid exited with \(started.status)")
        }
        // Until the runtime says the process runs, or the container has already ended.
        for attempt in 0..<2000 {
            if let code = Self.exitCode(at: files.exitStatus) {
                if code != 0, let failure = Self.startFailure(logPath: logPath) { throw failure }
                return
            }
            if attempt % 4 == 3, status(of: id) == "running" { return }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        throw RuntimeError(.unavailable, "container \(id) did not start within 10 seconds")
    }

    /// The descriptors the monitor hands the container as its stdout and stderr: the log files
    /// opened for appending, or, with a log index, the pipes of a logger started here that writes
    /// both files and the index. The container writes into the pipes directly, so the output
    /// reaches the files unchanged and in the order it came.
    static func openOutput(_ files: DetachedFiles) throws -> (standardOutput: Int32, standardError: Int32) {
        func openFile(_ path: String) throws -> Int32 {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw RuntimeError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
            return fd
        }
        let outputFile = try openFile(files.standardOutput)
        let errorFile: Int32
        do { errorFile = try openFile(files.standardError) } catch {
            close(outputFile)
            throw error
        }
        guard let indexPath = files.logIndex else { return (outputFile, errorFile) }
        defer {
            close(outputFile)
            close(errorFile)
        }
        let indexFile = try openFile(indexPath)
        defer { close(indexFile) }
        let output = try ExternalProcess.pipe()
        let errors: (read: Int32, write: Int32)
        do { errors = try ExternalProcess.pipe() } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        defer {
            close(output.read)
            close(errors.read)
        }
        guard hoist_start_logger(output.read, errors.read, outputFile, errorFile, indexFile) == 0 else {
            let reason = String(cString: strerror(errno))
            close(output.write)
            close(errors.write)
            throw RuntimeError(.unavailable, "cannot start the logger of \(files.standardOutput): \(reason)")
        }
        return (output.write, errors.write)
    }

    /// The policy and the most restarts as the monitor takes them.
    static func monitorArguments(_ restart: RestartPolicy) -> [String] {
        switch restart {
        case .no: ["no", "0"]
        case .always, .unlessStopped: ["always", "0"]
        // on-failure:0 is Docker's "no bound" as well.
        case .onFailure(let most): ["on-failure", String(most ?? 0)]
        }
    }

    /// The exit code in a status file written by the monitor, or nil when there is none yet.
    public static func exitCode(at path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The runtime's status of container `id` (`created`, `running`, `paused`, `stopped`), or
    /// nil when the runtime does not know it.
    public func status(of id: String) -> String? {
        guard FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent(id).path) else { return nil }
        var state = runtime.process(["--root", stateDirectory.path, "state", id])
        state.standardError = .discard
        guard let result = try? state.runBlocking(), result.status == .exited(0),
            let object = try? JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        else { return nil }
        return object["status"] as? String
    }

    /// Sends `signal` (`KILL`, `TERM`, `9` …) to container `id`'s process.
    public func signal(_ id: String, _ signal: String) throws {
        var kill = runtime.process(["--root", stateDirectory.path, "kill", id, signal])
        kill.standardOutput = .discard
        let result = try kill.runBlocking()
        guard result.status == .exited(0) else {
            throw RuntimeError(.failedPrecondition, "cannot signal container \(id): \(result.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Runs `settings` as another process in the running container `id` whose root file system
    /// is visible at `rootfs` (for the user lookup), and returns its exit code.
    public func exec(in id: String, _ settings: ContainerSettings, rootfs: String, io: ContainerIO) async throws -> Int32 {
        try checkUsable()
        let process = try RuntimeSpecBuilder(settings).process(rootfs: rootfs)
        let file = bundleDirectory.appendingPathComponent("exec-\(UUID().uuidString).json").path
        let encoder = JSONEncoder()
        do {
            try encoder.encode(process).write(to: URL(fileURLWithPath: file))
        } catch {
            throw RuntimeError(.unavailable, "cannot write \(file)", underlying: error)
        }
        defer { unlink(file) }
        var command = runtime.process(["--root", stateDirectory.path, "exec", "--process", file, id])
        command.standardInput = io.standardInput
        command.standardOutput = io.standardOutputDescriptor.map { .fileDescriptor($0) } ?? .handler(io.standardOutput)
        command.standardError = io.standardErrorDescriptor.map { .fileDescriptor($0) } ?? .handler(io.standardError)
        let termination = try await command.run()
        // The runtime's own failures (exit 255 from runc and crun) rather than the command's.
        let text = termination.errorText.lowercased()
        if termination.status == .exited(255) || termination.status == .exited(1),
            ["exec failed", "executable file", "does not exist", "not running", "no such file"].contains(where: text.contains)
        {
            let message = termination.errorText.trimmingCharacters(in: .whitespacesAndNewlines)
            let lowercased = message.lowercased()
            let missing = lowercased.contains("not found") || lowercased.contains("no such file")
            throw RuntimeError(missing ? .notFound : .failedPrecondition, "cannot run the command: \(message)")
        }
        return termination.status.code
    }

    /// Stops container `id` if it runs and deletes the runtime's state of it.
    public func forceDelete(_ id: String) {
        guard FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent(id).path) else { return }
        var delete = runtime.process(["--root", stateDirectory.path, "delete", "--force", id])
        delete.standardOutput = .discard
        delete.standardError = .discard
        _ = try? delete.runBlocking()
    }
}
