import Foundation
import Hoist
import HoistTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signals and a foreground `hoist run` against `docker run` (issue 24): the signals a user sends
/// the client reach the container's process (`--sig-proxy`), Ctrl-C typed on a terminal (through
/// `script`'s pseudo-terminal) too, a `--rm` container goes however the run ends, `--init` reaps
/// orphans, and `hoist stop` honours `--stop-signal` and `--stop-timeout`.
@Suite(
    "Signals of hoist run, parity with Docker", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc") && Interop.available("script")))
struct RunSignalTests {
    static let image = "hoist-run-signals:1"

    /// Traps every forwarded signal, says which came, and exits 42; says `ready` once trapped.
    static let trapScript = """
        for s in INT TERM HUP QUIT USR1 USR2 WINCH; do trap "echo got $s; exit 42" $s; done; echo ready; while :; do sleep 0.1; done
        """

    let fixture: BusyboxFixture
    let store: URL

    init() throws {
        fixture = try BusyboxFixture.alsoInDocker(Self.image)
        store = fixture.client.store.root.url
    }

    var dockerRun: [String] { [Interop.docker, "run", "--network=none"] }
    var hoistRun: [String] { [Interop.hoistExecutable, "run", "--network=none"] }
    var hoistEnvironment: [String: String] { ["HOIST_ROOT": store.path] }

    @Test(arguments: ["INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "WINCH"])
    func signalsSentToTheClientReachTheContainer(signal: String) throws {
        let number = try #require(Self.signalNumbers[signal])
        let command = ["--rm", Self.image, "sh", "-c", Self.trapScript]
        let docker = try Launched(dockerRun + command)
        try docker.waitForOutput("ready")
        kill(docker.pid, number)
        let dockerEnd = try docker.finish()
        let hoist = try Launched(hoistRun + command, environment: hoistEnvironment)
        try hoist.waitForOutput("ready")
        kill(hoist.pid, number)
        let hoistEnd = try hoist.finish()
        #expect(hoistEnd.status == dockerEnd.status, "SIG\(signal): hoist exited \(hoistEnd.status), docker \(dockerEnd.status); hoist said \(hoistEnd.errorText)")
        #expect(hoistEnd.text == dockerEnd.text, "SIG\(signal):\nhoist:\n\(hoistEnd.text)\ndocker:\n\(dockerEnd.text)")
        #expect(hoistEnd.text == "ready\ngot \(signal)\n")
        // --rm: nothing left.
        #expect(try fixture.client.store.containers().isEmpty)
    }

    /// Ctrl-C typed on the terminal `hoist run` (no -t) runs on.
    @Test func controlCThroughAPseudoTerminal() throws {
        func typedControlC(_ command: String, environment: [String: String] = [:]) throws -> Launched.Ended {
            let session = try Launched(["script", "-q", "-e", "-c", command, "/dev/null"], environment: environment, input: true)
            try session.waitForOutput("ready")
            session.type(Data([0x03]))
            return try session.finish()
        }
        // exec: the client itself is the terminal's foreground process, as when typed at a prompt.
        let arguments = " --rm \(Self.image) sh -c '\(Self.trapScript)'"
        let docker = try typedControlC("exec " + dockerRun.joined(separator: " ") + arguments)
        let hoist = try typedControlC("exec " + hoistRun.joined(separator: " ") + arguments, environment: hoistEnvironment)
        #expect(hoist.status == docker.status, "hoist exited \(hoist.status), docker \(docker.status): \(hoist.text)")
        #expect(hoist.text == docker.text, "hoist:\n\(hoist.text.debugDescription)\ndocker:\n\(docker.text.debugDescription)")
        #expect(hoist.text.contains("got INT"))
        #expect(try fixture.client.store.containers().isEmpty)
    }

    /// `--sig-proxy=false`: the signal is hoist's own again (SIGTERM ends it), and the container
    /// goes with it.
    @Test func withoutTheProxySignalsEndHoist() throws {
        let hoist = try Launched(hoistRun + ["--sig-proxy=false", "--rm", Self.image, "sh", "-c", Self.trapScript], environment: hoistEnvironment)
        try hoist.waitForOutput("ready")
        kill(hoist.pid, SIGTERM)
        let end = try hoist.finish()
        #expect(end.status == 128 + SIGTERM || end.status == -SIGTERM || end.status == SIGTERM, "\(end.status)")
        #expect(!end.text.contains("got TERM"))
        try expectNoContainerLeft()
    }

    /// A `--rm` container whose hoist is killed with SIGKILL is stopped by its watchdog and gone
    /// from `hoist ps -a`.
    @Test func killedHoistLeavesNoRemovedContainer() throws {
        let name = uniqueDockerName("killed")
        let hoist = try Launched(hoistRun + ["--rm", "--name", name, Self.image, "sh", "-c", Self.trapScript], environment: hoistEnvironment)
        try hoist.waitForOutput("ready")
        kill(hoist.pid, SIGKILL)
        _ = try hoist.finish()
        try expectNoContainerLeft()
        #expect(!(try Interop.hoist(["ps", "-a", "--format", "{{.Names}}"], root: store).text.contains(name)))
    }

    /// Waits (bounded) until no container of the test's store runs any more and `ps -a` has
    /// swept the removed ones.
    func expectNoContainerLeft() throws {
        var left = -1
        for _ in 0..<100 where left != 0 {
            _ = try Interop.hoist(["ps", "-a"], root: store)
            left = try fixture.client.store.containers().count
            if left != 0 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(left == 0, "\(left) containers left")
    }

    /// `--init` reaps an orphan that the command (PID 1 without it) would leave a zombie, as
    /// Docker's does.
    @Test func initReapsZombies() throws {
        // The orphan's parent is gone at once; PID 1 then becomes `sleep`, which reaps nothing.
        let command = ["sh", "-c", "(sleep 0.1 &); exec sleep 30"]
        let probe = ["sh", "-c", "sleep 0.5; grep -l zombie /proc/[0-9]*/status | wc -l"]
        for flags in [[], ["--init"]] {
            let name = uniqueDockerName("init")
            try ExternalCommand.checked(dockerRun + ["-d", "--name", name] + flags + [Self.image] + command)
            defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name]) }
            let docker = try ExternalCommand.checked([Interop.docker, "exec", name] + probe).text
            let started = try Interop.hoist(["run", "-d", "--network=none", "--name", name] + flags + [Self.image] + command, root: store)
            #expect(started.status == 0, "\(started.errorText)")
            let hoist = try Interop.hoist(["exec", name] + probe, root: store)
            #expect(hoist.text == docker, "\(flags): hoist counts \(hoist.text) zombies (\(hoist.errorText)), docker \(docker)")
            #expect(hoist.text.trimmingCharacters(in: .whitespacesAndNewlines) == (flags.isEmpty ? "1" : "0"))
            _ = try Interop.hoist(["rm", "-f", name], root: store)
        }
    }

    @Test func initWithoutATinyInitSaysWhatToInstall() throws {
        let output = try ExternalCommand.run(
            [Interop.hoistExecutable, "run", "--rm", "--network=none", "--init", Self.image, "true"],
            environment: ["HOIST_ROOT": store.path, "PATH": "/usr/sbin:/sbin"])
        #expect(output.status == 125)
        #expect(output.errorText.contains("install the tini or catatonit package"), "\(output.errorText)")
    }

    /// `hoist stop` sends `--stop-signal`, and kills after `--stop-timeout`, as `docker stop` does.
    static let stopCases: [String: (flags: [String], script: String)] = [
        "--stop-signal": (["--stop-signal", "SIGUSR1"], "trap 'echo got USR1; exit 7' USR1; echo ready; while :; do sleep 0.1; done"),
        "--stop-timeout": (["--stop-timeout", "1"], "trap '' TERM; echo ready; while :; do sleep 0.1; done"),
    ]

    @Test(arguments: ["--stop-signal", "--stop-timeout"])
    func stopHonoursTheContainersStopSettings(name: String) throws {
        let (flags, script) = try #require(Self.stopCases[name])
        let container = uniqueDockerName("stop")
        try ExternalCommand.checked(dockerRun + ["-d", "--name", container] + flags + [Self.image, "sh", "-c", script])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", container]) }
        let started = try Interop.hoist(["run", "-d", "--network=none", "--name", container] + flags + [Self.image, "sh", "-c", script], root: store)
        #expect(started.status == 0, "\(started.errorText)")
        Thread.sleep(forTimeInterval: 0.5)
        try ExternalCommand.checked([Interop.docker, "stop", container])
        let stopped = try Interop.hoist(["stop", container], root: store)
        #expect(stopped.status == 0, "\(stopped.errorText)")
        let inspect = ["inspect", "--format", "{{.State.ExitCode}}", container]
        let dockerCode = try ExternalCommand.checked([Interop.docker] + inspect).text
        let hoistCode = try Interop.hoist(inspect, root: store).text
        #expect(hoistCode == dockerCode, "\(name): hoist \(hoistCode), docker \(dockerCode)")
        let dockerLogs = try ExternalCommand.checked([Interop.docker, "logs", container]).text
        let hoistLogs = try Interop.hoist(["logs", container], root: store).text
        #expect(hoistLogs == dockerLogs, "\(name):\nhoist:\n\(hoistLogs)\ndocker:\n\(dockerLogs)")
        _ = try Interop.hoist(["rm", "-f", container], root: store)
    }

    static let signalNumbers: [String: Int32] = [
        "INT": SIGINT, "TERM": SIGTERM, "HUP": SIGHUP, "QUIT": SIGQUIT, "USR1": SIGUSR1, "USR2": SIGUSR2, "WINCH": SIGWINCH,
    ]
}

/// A program started for a test that reads its output while it runs, to be signalled.
final class Launched: @unchecked Sendable {
    /// How it ended and what it wrote.
    struct Ended {
        var status: Int32
        var text: String
        var errorText: String
    }

    struct LaunchFailure: Error, CustomStringConvertible {
        var arguments: [String]
        var output: Ended
        var description: String { "`\(arguments.joined(separator: " "))` (status \(output.status)): \(output.text)\(output.errorText)" }
    }

    private let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    init(_ arguments: [String], environment: [String: String] = [:], input takesInput: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = takesInput ? input : FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.locked { $0.output.append(data) }
        }
        stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.locked { $0.errors.append(data) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    var text: String { locked { String(decoding: $0.output, as: UTF8.self) } }

    private func locked<T>(_ body: (Launched) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(self)
    }

    /// Waits up to 30 s for `marker` in its output.
    func waitForOutput(_ marker: String) throws {
        for _ in 0..<600 {
            if text.contains(marker) { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw LaunchFailure(arguments: process.arguments ?? [], output: snapshot(status: -1))
    }

    func type(_ data: Data) {
        input.fileHandleForWriting.write(data)
    }

    /// Waits up to 30 s for it to end (then kills it) and returns what it wrote.
    func finish() throws -> Ended {
        for _ in 0..<600 where process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            throw LaunchFailure(arguments: process.arguments ?? [], output: snapshot(status: -1))
        }
        process.waitUntilExit()
        // What the pipes still hold.
        Thread.sleep(forTimeInterval: 0.1)
        try? input.fileHandleForWriting.close()
        return snapshot(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus)
    }

    private func snapshot(status: Int32) -> Ended {
        locked { Ended(status: status, text: String(decoding: $0.output, as: UTF8.self), errorText: String(decoding: $0.errors, as: UTF8.self)) }
    }
}
