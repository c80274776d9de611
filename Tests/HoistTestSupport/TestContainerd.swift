#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import Synchronization

/// The containerd the tests use: Debian's `containerd` with a configuration of its own — socket,
/// root and state in a temporary directory, runc (through `containerd-shim-runc-v2`) as the
/// runtime, the CRI plugin off — and a namespace made for the tests. Started once per test
/// process by the first ``shared()``, which also points `CONTAINERD_ADDRESS` and
/// `CONTAINERD_NAMESPACE` at it; stopped when the process exits.
public final class TestContainerd: Sendable {
    /// The daemon's gRPC socket.
    public let socket: String
    /// The namespace the tests work in.
    public let namespace = "hoist-test"
    public let directory: URL
    public let logFile: URL
    private let process: Mutex<Process?>

    private static let instance = Mutex<Result<TestContainerd, Failure>?>(nil)

    /// Whether the tests can have a containerd: it is installed and this process is root (or
    /// CI requires it, so that a missing one fails).
    public static var available: Bool {
        Interop.required || (Interop.isRoot && Interop.available("containerd") && Interop.available("ctr"))
    }

    /// The test process's containerd, started on first use.
    public static func shared() throws -> TestContainerd {
        let result = instance.withLock { instance in
            if let instance { return instance }
            let made = Result { () throws(Failure) in try TestContainerd() }
            instance = made
            if case .success(let daemon) = made {
                setenv("CONTAINERD_ADDRESS", daemon.socket, 1)
                setenv("CONTAINERD_NAMESPACE", daemon.namespace, 1)
                atexit { TestContainerd.stopShared() }
            }
            return made
        }
        return try result.get()
    }

    private static func stopShared() {
        if case .success(let daemon) = instance.withLock({ $0 }) { daemon.stop() }
    }

    private init() throws(Failure) {
        // A short path: a unix socket's path must fit in 108 bytes.
        directory = URL(fileURLWithPath: "/tmp/hoist-containerd-\(getpid())", isDirectory: true)
        socket = directory.appendingPathComponent("containerd.sock").path
        logFile = directory.appendingPathComponent("containerd.log")
        process = Mutex(nil)
        do {
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = """
                version = 2
                root = "\(directory.path)/root"
                state = "\(directory.path)/state"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]

                [grpc]
                  address = "\(socket)"

                [ttrpc]
                  address = "\(socket).ttrpc"

                [debug]
                  address = "\(directory.path)/debug.sock"

                """
            let configFile = directory.appendingPathComponent("config.toml")
            try Data(config.utf8).write(to: configFile)
            let daemon = try ExternalCommand.startLogged(["containerd", "--config", configFile.path], logFile: logFile)
            process.withLock { $0 = daemon }
        } catch {
            throw Failure(description: "cannot start containerd: \(error)")
        }
        let deadline = Date().addingTimeInterval(20)
        while (try? ctr(["version"]).status) != 0 {
            guard process.withLock({ $0?.isRunning ?? false }), Date() < deadline else {
                stop()
                throw Failure(description: "containerd did not answer on \(socket) within 20 s:\n\(log)")
            }
            usleep(50_000)
        }
        do {
            try ctrChecked(["namespaces", "create", namespace])
        } catch {
            stop()
            throw Failure(description: "cannot make the test namespace: \(error)")
        }
    }

    /// The daemon's output so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Runs `ctr` on this daemon, in the test namespace unless `namespace` says otherwise.
    public func ctr(_ arguments: [String], namespace: String? = nil) throws -> ExternalCommand.Output {
        try ExternalCommand.run(["ctr", "--address", socket, "--namespace", namespace ?? self.namespace] + arguments)
    }

    /// Runs `ctr` and throws unless it exits 0.
    @discardableResult
    public func ctrChecked(_ arguments: [String], namespace: String? = nil) throws -> ExternalCommand.Output {
        let output = try ctr(arguments, namespace: namespace)
        guard output.status == 0 else {
            throw ExternalCommand.Failure(command: ["ctr"] + arguments, output: output)
        }
        return output
    }

    /// Stops the daemon (SIGTERM, then SIGKILL) and removes its directory. Shims of tasks left
    /// running are killed with their containers first.
    func stop() {
        guard let daemon = process.withLock({ process -> Process? in
            defer { process = nil }
            return process
        }) else { return }
        if let tasks = try? ctr(["tasks", "list", "-q"]).text {
            for task in tasks.split(separator: "\n") {
                _ = try? ctr(["tasks", "kill", "-s", "KILL", String(task)])
                _ = try? ctr(["tasks", "delete", "-f", String(task)])
            }
        }
        kill(daemon.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while daemon.isRunning, Date() < deadline { usleep(20_000) }
        if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
        daemon.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Why the daemon could not be had, with its output.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}
