#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistBuild
import HoistRuntime
import HoistStore
import Synchronization

/// A container on solved build results, for looking into them (BuildKit's gateway container):
/// its root file system is a writable snapshot of one result, other results can be mounted
/// into it, and ``start(_:environment:user:workingDirectory:terminal:standardInput:standardOutput:standardError:)``
/// runs processes in it with runc. Writes stay in the container: the results do not change.
///
/// Make one with ``SolvedBuild/newContainer(mounts:network:)``; ``release()`` it when done
/// (it kills what still runs, unmounts and removes its snapshots). A process keeps its
/// container until it has been waited for.
///
/// ```swift
/// let container = try await result.newContainer(mounts: [tools.mounted(at: "/tools")])
/// let process = try await container.start(["sh", "-c", "ls /tools"], standardOutput: { print(String(decoding: $0, as: UTF8.self)) })
/// print(try await process.wait())
/// await container.release()
/// ```
public final class DebugContainer: Sendable {
    /// A result mounted into the container: see ``SolvedBuild/mounted(at:readOnly:)``.
    public struct Mount: Sendable {
        /// The result whose files appear.
        public var result: SolvedBuild
        /// Where they appear in the container.
        public var path: String
        /// Mounted read-only; otherwise writable, the writes kept apart from the result.
        public var readOnly: Bool

        public init(_ result: SolvedBuild, at path: String, readOnly: Bool = true) {
            self.result = result
            self.path = path
            self.readOnly = readOnly
        }
    }

    /// What a process gets unless ``start(_:environment:user:workingDirectory:terminal:standardInput:standardOutput:standardError:)``
    /// says otherwise: the root result's settings, or those of the step a container was made for.
    struct ProcessDefaults: Sendable {
        var environment: [String]
        var user: String
        var workingDirectory: String
    }

    private let store: Store
    let executor: RuncExecutor
    private let defaults: ProcessDefaults
    private let network: HoistBuild.NetworkMode
    /// Host paths and tmpfs mounts every process gets, besides the mounted results.
    private let hostMounts: [ContainerMount]
    /// The container's files, mounted at `rootfs`; extra results under `mounts/N`.
    private let directory: String
    private var rootfs: String { directory + "/rootfs" }
    /// What is mounted for the container, released in reverse.
    private let resources: Mutex<Resources>

    private struct Resources {
        var snapshots: [(key: SnapshotKey, mounts: [HoistStore.Mount], at: String)] = []
        var binds: [ContainerMount] = []
        var processes: [String: DebugProcess] = [:]
        /// Keeps garbage collection away from the snapshots while the container lives.
        var lease: AnyObject?
        var released = false

        init(lease: AnyObject) {
            self.lease = lease
        }
    }

    /// Mounts the snapshots; undoes what it did when one fails. `hostMounts` come after the
    /// results' mounts; `defaults` replace the root result's settings.
    init(root: SolvedBuild, mounts: [Mount], network: HoistBuild.NetworkMode, hostMounts: [ContainerMount] = [],
         defaults: ProcessDefaults? = nil) throws {
        store = root.store
        self.hostMounts = hostMounts
        self.defaults = defaults ?? ProcessDefaults(
            environment: root.state.environment, user: root.state.user, workingDirectory: root.state.workingDirectory)
        // runc, not crun even where crun is preferred: runc's foreground terminal takes its size
        // from its own terminal on SIGWINCH, which is how a debug process is resized.
        executor = RuncExecutor(store: root.store.root, runtime: try OCIRuntime.runc())
        self.network = network
        directory = store.root.temporary.appendingPathComponent("debug-\(UUID().uuidString.lowercased())").path
        resources = Mutex(Resources(lease: root.store.lease("debug")))
        do {
            let snapshotter = try store.snapshotter()
            try attach(root.snapshot, at: rootfs, readOnly: false, snapshotter: snapshotter)
            for (index, mount) in mounts.enumerated() {
                guard mount.path.hasPrefix("/"), mount.path != "/" else {
                    throw ClientError(.invalidArgument, "debug container mount \(mount.path): the path must be absolute and not /")
                }
                let host = directory + "/mounts/\(index)"
                try attach(mount.result.snapshot, at: host, readOnly: mount.readOnly, snapshotter: snapshotter)
                resources.withLock {
                    $0.binds.append(.bind(source: host, destination: mount.path, readOnly: mount.readOnly))
                }
            }
        } catch {
            detach()
            throw error
        }
    }

    deinit {
        // Dropped without release() once its processes were waited for: nothing stays mounted.
        detach()
    }

    /// Starts `arguments` in the container and returns once it runs. The process gets the root
    /// result's environment plus `environment` (`NAME=value`), and its user and working
    /// directory unless given. With a `terminal` (its initial size) stdout and stderr come
    /// together through `standardOutput`, and the process can be resized.
    ///
    /// Throws `notFound` for a command missing from the container, `failedPrecondition` for a
    /// released container, and the runtime's other start errors.
    public func start(
        _ arguments: [String], environment: [String] = [], user: String? = nil, workingDirectory: String? = nil,
        terminal: TerminalSize? = nil, standardInput: DebugProcess.Input = .none,
        standardOutput: @escaping @Sendable (Data) -> Void = { _ in },
        standardError: @escaping @Sendable (Data) -> Void = { _ in }
    ) async throws -> DebugProcess {
        guard !arguments.isEmpty else { throw ClientError(.invalidArgument, "a debug process needs a command") }
        guard !resources.withLock({ $0.released }) else {
            throw ClientError(.failedPrecondition, "the debug container was released")
        }
        var settings = ContainerSettings(
            arguments: arguments, environment: EnvironmentList.overriding(defaults.environment, with: environment),
            workingDirectory: workingDirectory ?? defaults.workingDirectory, user: user ?? defaults.user,
            network: network == .host ? .host : .none, mounts: resources.withLock { $0.binds } + hostMounts)
        settings.terminal = terminal != nil
        // A container on a build result, as BuildKit's gateway makes it.
        settings.primaryGroupIsSupplementary = false
        let id = "hoist-debug-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try executor.checkUsable()
        let bundle = executor.bundleDirectory.appendingPathComponent(id).path
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        do {
            try executor.writeBundle(settings, bundle: bundle, rootPath: rootfs, runtimeID: id)
            let process = try DebugProcess(
                id: id, bundle: bundle, container: self, terminal: terminal, standardInput: standardInput,
                standardOutput: standardOutput, standardError: standardError)
            resources.withLock { $0.processes[id] = process }
            try await process.waitUntilRunning()
            return process
        } catch {
            ended(id)
            try? FileManager.default.removeItem(atPath: bundle)
            throw error
        }
    }

    /// Kills the processes still running, waits for them, unmounts the container's files and
    /// removes its snapshots. Releasing twice does nothing.
    public func release() async {
        let processes = resources.withLock { resources in
            resources.released = true
            return Array(resources.processes.values)
        }
        for process in processes {
            executor.forceDelete(process.id)
            _ = try? await process.wait()
        }
        detach()
    }

    // MARK: - Parts

    /// A snapshot of `parent` (an empty one for none) mounted at `path`.
    private func attach(_ parent: SnapshotKey?, at path: String, readOnly: Bool, snapshotter: any Snapshotter) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let key = try SnapshotKey("debug/\(UUID().uuidString)")
        let mounts = readOnly && parent != nil
            ? try snapshotter.view(key: key, parent: parent) : try snapshotter.prepare(key: key, parent: parent)
        do {
            try HoistStore.Mount.mountAll(mounts, at: path)
        } catch {
            try? snapshotter.remove(key)
            throw error
        }
        resources.withLock { $0.snapshots.append((key, mounts, path)) }
    }

    /// Unmounts and removes every snapshot, then the directory; drops the lease.
    private func detach() {
        let snapshots = resources.withLock { resources in
            resources.released = true
            defer { resources.snapshots = [] }
            return resources.snapshots
        }
        let snapshotter = try? store.snapshotter()
        for snapshot in snapshots.reversed() {
            try? HoistStore.Mount.unmountAll(snapshot.mounts, at: snapshot.at)
            try? snapshotter?.remove(snapshot.key)
        }
        // Never delete through a mount into a snapshot.
        if !snapshots.contains(where: { HoistStore.Mount.isMountPoint($0.at) }) {
            try? FileManager.default.removeItem(atPath: directory)
        }
        resources.withLock { $0.lease = nil }
    }

    /// Forgets a process that has ended.
    func ended(_ id: String) {
        _ = resources.withLock { $0.processes.removeValue(forKey: id) }
    }
}
