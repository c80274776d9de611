#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import Synchronization

/// A second Docker daemon of a test's own, standing in for another machine's engine: Debian's
/// `dockerd` with its own data root, exec root (so its own managed containerd), pid file and
/// unix socket under a temporary directory, no iptables and no bridge (as the shared daemon
/// here). The shared daemon on `/var/run/docker.sock` is never touched. ``stop()`` — also run
/// when the value is released — stops the daemon and removes its directory.
public final class TestDockerd: Sendable {
    /// The daemon's socket, and its address as `DOCKER_HOST` spells it.
    public let socket: String
    public var address: String { "unix://\(socket)" }
    public let directory: URL
    public let logFile: URL
    private let process: Mutex<Process?>

    /// Whether a test can start one: root, and dockerd and Debian's docker client installed.
    public static var isPossible: Bool {
        Interop.isRoot && Interop.available("dockerd") && FileManager.default.isExecutableFile(atPath: "/usr/bin/docker")
    }

    /// Starts the daemon and waits until it answers.
    ///
    /// - Throws: ``Failure`` with the daemon's log when it exits or does not answer in 60 s.
    public init() throws {
        // A short path: a unix socket's path must fit in 108 bytes.
        directory = URL(fileURLWithPath: "/tmp/hoist-dockerd-\(getpid())-\(UUID().uuidString.prefix(8))", isDirectory: true)
        socket = directory.appendingPathComponent("docker.sock").path
        logFile = directory.appendingPathComponent("dockerd.log")
        process = Mutex(nil)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let daemon = try ExternalCommand.startLogged(
            ["dockerd", "--data-root", directory.appendingPathComponent("data").path,
             "--exec-root", directory.appendingPathComponent("exec").path,
             "--pidfile", directory.appendingPathComponent("dockerd.pid").path, "-H", "unix://\(socket)",
             "--iptables=false", "--bridge=none"],
            logFile: logFile)
        process.withLock { $0 = daemon }
        let deadline = Date().addingTimeInterval(60)
        while (try? docker(["version"]).status) != 0 {
            guard daemon.isRunning, Date() < deadline else {
                let output = self.log
                stop()
                throw Failure(description: "the test's dockerd did not answer on \(socket) within 60 s:\n\(output)")
            }
            usleep(100_000)
        }
    }

    deinit { stop() }

    /// The daemon's output so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Runs Debian's docker client (not the newer one first on PATH) against this daemon.
    public func docker(_ arguments: [String]) throws -> ExternalCommand.Output {
        try ExternalCommand.run(["/usr/bin/docker", "-H", address] + arguments)
    }

    /// The IDs of the containers this daemon created between `since` and now (its events, to
    /// the nanosecond: what a build just before `since` made is not counted).
    public func containersCreated(since: Date) throws -> [String] {
        let output = try docker([
            "events", "--since", String(format: "%.9f", since.timeIntervalSince1970),
            "--until", String(format: "%.9f", Date().timeIntervalSince1970 + 1),
            "--filter", "type=container", "--filter", "event=create", "--format", "{{.ID}}",
        ])
        guard output.status == 0 else { throw Failure(description: "docker events failed: \(output.errorText)") }
        return output.text.split(separator: "\n").map(String.init)
    }

    /// Stops the daemon (SIGTERM, SIGKILL after 20 s; it stops its containerd) and removes its
    /// directory, unmounting what it left mounted there.
    public func stop() {
        guard let daemon = process.withLock({ process -> Process? in
            defer { process = nil }
            return process
        }) else { return }
        if daemon.isRunning {
            kill(daemon.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while daemon.isRunning, Date() < deadline { usleep(50_000) }
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
        }
        daemon.waitUntilExit()
        let prefix = directory.path + "/"
        // Read to its end: a /proc file says it is empty, so reading by its size gets nothing.
        let mountinfo = FileHandle(forReadingAtPath: "/proc/self/mountinfo").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }
        let mounts = (mountinfo ?? "").split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(separator: " ")
                return fields.count > 4 && fields[4].hasPrefix(prefix) ? String(fields[4]) : nil
            }
        // Deepest first, lazily: a mount under another goes before it.
        for mount in mounts.sorted(by: { $0.count > $1.count }) { umount2(mount, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether ``stop()`` left nothing: no directory, nothing mounted under it.
    public var isRemoved: Bool { !FileManager.default.fileExists(atPath: directory.path) }

    /// Why the daemon could not be had, with its output.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}
