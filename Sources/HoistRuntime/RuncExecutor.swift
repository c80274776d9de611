#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistStore
import HoistOCI

/// Where a container's root file system comes from.
public enum RootFilesystem: Sendable {
    /// A snapshot's mounts, mounted by the executor at the bundle's `rootfs` for the run.
    case mounts([Mount])
    /// A directory used in place.
    case directory(String)
}

/// Where a container's stdin comes from and where its output goes. Each handler is called with
/// chunks in the order the container wrote them to that stream, one call at a time.
public struct ContainerIO: Sendable {
    public var standardInput: ExternalProcess.Input
    public var standardOutput: @Sendable (Data) -> Void
    public var standardError: @Sendable (Data) -> Void
    /// Descriptors the container writes to directly instead of the handlers (a terminal's).
    public var standardOutputDescriptor: Int32?
    public var standardErrorDescriptor: Int32?
    /// Called with the runtime's process id once it is spawned: a caller that handed over
    /// descriptors closes its copies here, and a terminal's owner signals it (SIGWINCH) there.
    public var onStart: (@Sendable (Int32) -> Void)?
    /// Forward the signals this process receives to the container's process while it runs
    /// (``SignalForwarder``), as `docker run --sig-proxy` does.
    public var forwardsSignals = false
    /// The container's process has this process's terminal (`-t`): the runtime stays in this
    /// process's group to use it, and window changes reach it from the terminal itself.
    public var sharesTerminal = false

    public init(
        standardInput: ExternalProcess.Input = .none, standardOutput: @escaping @Sendable (Data) -> Void,
        standardError: @escaping @Sendable (Data) -> Void
    ) {
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs containers with an OCI runtime (runc, or crun — see ``OCIRuntime``) in bundles of its own: for each run it writes a
/// bundle (config.json from ``RuntimeSpecBuilder``, generated /etc files, the root file
/// system mounted at `rootfs`), runs `runc run` in the foreground with pipes for stdio, and
/// afterwards deletes the container, unmounts and removes the bundle — on success, failure and
/// cancellation alike. Cancelling the task kills the container (`runc kill … KILL`).
public final class RuncExecutor: Sendable {
    /// The runtime and how it is started.
    public let runtime: OCIRuntime
    /// runc's `--root`: Hoist's own container state, apart from other runc users'.
    public let stateDirectory: URL
    /// Where bundles are made.
    public let bundleDirectory: URL

    /// Why this executor cannot run anything, when its places could not be made.
    private let unusable: RuntimeError?

    /// Throws why this executor cannot make bundles in ``bundleDirectory``, if it cannot.
    public func checkUsable() throws {
        if let unusable { throw unusable }
    }

    public convenience init(runtime: OCIRuntime, stateDirectory: URL, bundleDirectory: URL) {
        self.init(runtime: runtime, stateDirectory: stateDirectory, bundleDirectory: bundleDirectory, unusable: nil)
    }

    private init(runtime: OCIRuntime, stateDirectory: URL, bundleDirectory: URL, unusable: RuntimeError?) {
        self.runtime = runtime
        self.stateDirectory = stateDirectory
        self.bundleDirectory = bundleDirectory
        self.unusable = unusable
    }

    /// An executor for `store` with the ``OCIRuntime/preferred(scratch:record:)`` runtime (or
    /// `runtime`), keeping the runtime's state in `/run/hoist/NAME` (root) or
    /// `$XDG_RUNTIME_DIR/hoist/NAME`, the runtime probe's answer beside them (a run directory
    /// is emptied at boot, when the answer may change), and bundles in memory (``StoreRoot/bundles()``).
    public convenience init(store: StoreRoot, runtime: OCIRuntime? = nil) {
        let bundles: URL
        do {
            bundles = try store.bundles()
        } catch {
            // Never a fallback on disk: each run reports why (``run(_:rootfs:io:)``).
            self.init(runtime: runtime ?? OCIRuntime(name: "runc", executable: "runc"), stateDirectory: store.temporary, bundleDirectory: store.temporary,
                      unusable: RuntimeError(.failedPrecondition, "cannot run containers", underlying: error))
            return
        }
        let state = HostUser.runtimeDirectory().appendingPathComponent("hoist")
        // Private: the runtimes' state holds each container's configuration.
        let record = (try? FileManager.default.createDirectory(at: state, withIntermediateDirectories: true))
            .map { state.appendingPathComponent("runtime-probe") }
        chmod(state.path, 0o700)
        let chosen = runtime ?? OCIRuntime.preferred(scratch: bundles, record: record)
        self.init(runtime: chosen, stateDirectory: state.appendingPathComponent(chosen.name), bundleDirectory: bundles)
    }

    /// Runs `settings` in a new container on `rootfs` and returns its exit code (128 + n when
    /// signal n ended it: 137 after SIGKILL, including an out-of-memory kill).
    ///
    /// Throws ``RuntimeError``: `notFound` when the command does not exist in the container
    /// (or the runtime is missing), `failedPrecondition` when the runtime cannot start the
    /// container for another reason (its message included), `cancelled` when the task was
    /// cancelled, and the builder's errors (unknown user …). Nothing is left running or mounted.
    public func run(_ settings: ContainerSettings, rootfs: RootFilesystem, io: ContainerIO) async throws -> Int32 {
        if Task.isCancelled { throw RuntimeError(.cancelled, "the container was not started: its task is cancelled") }
        try checkUsable()
        // Checked before anything is mounted, so a bad limit leaves nothing behind.
        var settings = settings
        settings.resources = try settings.resources.validated()
        let id = "hoist-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let bundle = bundleDirectory.appendingPathComponent(id).path
        let rootfsPath = bundle + "/rootfs"
        var mounted: [Mount] = []
        do {
            try FileManager.default.createDirectory(atPath: rootfsPath, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw RuntimeError(.unavailable, "cannot create the bundle \(bundle)", underlying: error)
        }
        defer { cleanUp(id: id, bundle: bundle, rootfs: rootfsPath, mounted: mounted) }

        let visibleRoot: String
        switch rootfs {
        case .mounts(let mounts):
            do {
                try Mount.mountAll(mounts, at: rootfsPath)
            } catch {
                throw RuntimeError(.failedPrecondition, "cannot mount the container's root file system", underlying: error)
            }
            mounted = mounts
            visibleRoot = rootfsPath
        case .directory(let path):
            visibleRoot = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        try writeBundle(settings, bundle: bundle, rootPath: visibleRoot, runtimeID: id)
        return try await runBundle(id: id, bundle: bundle, io: io)
    }

    /// Writes `bundle/config.json` (and the /etc files it binds) for `settings`, the root file
    /// system being visible at `rootPath` (default: the bundle's mounted `rootfs`).
    public func writeBundle(_ settings: ContainerSettings, bundle: String, rootPath: String? = nil, runtimeID: String) throws {
        let root = rootPath ?? bundle + "/rootfs"
        var spec = try RuntimeSpecBuilder(settings).build(
            rootfs: root, bundle: bundle, rootPath: root, cgroupsPath: CgroupPlacement.path(for: runtimeID))
        if !CgroupPlacement.limitsAvailable {
            // A rootless session without a delegated cgroup: the runtime could set none.
            spec.linux?.resources = nil
        }
        if runtime.name == "crun" {
            // crun adds a /dev/core symlink that neither runc nor Docker makes; it is removed
            // once crun has made the container's /dev, before the container's process starts.
            // The hook reads the state crun writes it first: one that exits before crun has
            // written it fails the container (EPIPE).
            let script = #"while read -r _; do :; done; exec rm -f -- "$0""#
            spec.hooks = RuntimeSpec.Hooks(createContainer: [
                RuntimeSpec.Hook(path: "/bin/sh", args: ["sh", "-c", script, root + "/dev/core"])
            ])
        }
        try write(spec, to: bundle + "/config.json")
    }

    /// Runs the container of `bundle` (see ``writeBundle(_:bundle:rootPath:runtimeID:)``) in
    /// the foreground as `id` and returns its exit code; the runtime deletes its state when it
    /// ends. With a terminal in the spec, the caller's stdio must be file descriptors.
    public func runBundle(id: String, bundle: String, io: ContainerIO) async throws -> Int32 {
        if Task.isCancelled { throw RuntimeError(.cancelled, "the container was not started: its task is cancelled") }
        let logPath = bundle + "/runtime.log"
        var process = runtime.process(
            ["--root", stateDirectory.path, "--log", logPath, "--log-format", "json", "run", "--bundle", bundle, id])
        process.standardInput = io.standardInput
        process.standardOutput = io.standardOutputDescriptor.map { .fileDescriptor($0) } ?? .handler(io.standardOutput)
        process.standardError = io.standardErrorDescriptor.map { .fileDescriptor($0) } ?? .handler(io.standardError)
        process.onStart = io.onStart
        // Signals go to the container once, through the forwarder, not from the terminal too.
        process.newProcessGroup = io.forwardsSignals && !io.sharesTerminal
        let forwarder = io.forwardsSignals
            ? SignalForwarder(SignalForwarder.forwardedSignals.filter { !io.sharesTerminal || $0 != SIGWINCH }) { [self] signal in
                self.deliver(signal, to: id)
            }
            : nil
        defer { forwarder?.stop() }
        process.onCancel = { [runtime, stateDirectory] pid in
            Self.kill(id: id, runtime: runtime, stateDirectory: stateDirectory, runtimePID: pid)
        }
        // Should this process die while the container runs, the container goes with it.
        var containerGuard = await ContainerGuard(id: id, executor: self)
        defer { containerGuard.release() }
        let termination: ExternalProcess.Termination
        do {
            termination = try await process.run()
        } catch let error as RuntimeError where error.code == .cancelled {
            throw RuntimeError(.cancelled, "container \(id) was killed because its task was cancelled")
        }
        if termination.status != .exited(0), let failure = Self.startFailure(logPath: logPath) {
            throw failure
        }
        return termination.status.code
    }

    /// Sends `signal` to container `id`'s process; false when the runtime could not (yet).
    func deliver(_ signal: Int32, to id: String) -> Bool {
        guard let name = SignalForwarder.name(of: signal) else { return true }
        var kill = runtime.process(["--root", stateDirectory.path, "kill", id, name])
        kill.standardOutput = .discard
        kill.standardError = .discard
        return (try? kill.runBlocking())?.status == .exited(0)
    }

    /// The error behind a run that never started the user's process, from the runtime's log
    /// (runc logs its own failures there; the process's exit codes are not logged).
    static func startFailure(logPath: String) -> RuntimeError? {
        guard let data = FileManager.default.contents(atPath: logPath) else { return nil }
        var messages: [String] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                object["level"] as? String == "error", let message = object["msg"] as? String
            else { continue }
            messages.append(message)
        }
        guard let message = messages.last else { return nil }
        let failure = ProcessStartFailure.classify(message)
        return RuntimeError(
            failure == .commandNotFound ? .notFound : .failedPrecondition, "cannot start the container's process: \(message)",
            startFailure: failure)
    }

    func write(_ spec: RuntimeSpec, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(spec)
        } catch {
            throw RuntimeError(.unavailable, "cannot write \(path)", underlying: error)
        }
        try BundleFile.write(data, to: path)
    }

    /// Kills the container until the foreground runtime has gone: the first attempts may come
    /// before the runtime has created the container.
    static func kill(id: String, runtime: OCIRuntime, stateDirectory: URL, runtimePID: Int32) {
        for _ in 0..<200 {
            var kill = runtime.process(["--root", stateDirectory.path, "kill", id, "KILL"])
            kill.standardOutput = .discard
            kill.standardError = .discard
            _ = try? kill.runBlocking()
            // The runtime exits once its container has; until then it is our child, unreaped
            // or alive, so the pid is still ours to probe.
            if Glibc.kill(runtimePID, 0) != 0 { return }
            var status = stat()
            if lstat("/proc/\(runtimePID)/stat", &status) != 0 { return }
            if let text = ProcFile.read("/proc/\(runtimePID)/stat"),
                text.split(separator: ")").last?.split(separator: " ").first == "Z"
            {
                return
            }
            usleep(50_000)
        }
    }

    /// Deletes the container, unmounts the root file system and removes the bundle; runs on
    /// every path out of ``run(_:rootfs:io:)``.
    private func cleanUp(id: String, bundle: String, rootfs: String, mounted: [Mount]) {
        // A foreground run deletes its container when it ends; state left behind means it did
        // not get that far (killed, failed to start), and a forced delete also stops it.
        if FileManager.default.fileExists(atPath: stateDirectory.appendingPathComponent(id).path) {
            var delete = runtime.process(["--root", stateDirectory.path, "delete", "--force", id])
            delete.standardOutput = .discard
            delete.standardError = .discard
            _ = try? delete.runBlocking()
        }
        if !mounted.isEmpty { try? Mount.unmountAll(mounted, at: rootfs) }
        // Only remove the bundle when nothing is mounted in it any more: never delete through a
        // mount into a snapshot.
        let stillMounted = Mount.isMountPoint(rootfs)
        if !stillMounted { try? FileManager.default.removeItem(atPath: bundle) }
    }
}
