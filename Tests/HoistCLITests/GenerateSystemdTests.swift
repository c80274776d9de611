import Foundation
import Hoist
import HoistTestSupport
import Testing

/// `hoist generate systemd NAME`, as `podman generate systemd` writes a unit: the text for a
/// kept container, accepted by `systemd-analyze verify`, and its start and stop lines doing
/// what they say when run as systemd would run them.
@Suite("generate systemd", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct GenerateSystemdTests {
    let fixture: BusyboxFixture
    let store: URL

    init() throws {
        fixture = try BusyboxFixture()
        store = fixture.client.store.root.url
    }

    /// The built hoist's real path, as `/proc/self/exe` gives it to the command.
    var hoist: String {
        URL(fileURLWithPath: Interop.hoistExecutable).resolvingSymlinksInPath().path
    }

    /// A kept container named `name`, made by `hoist create`; its ID.
    func create(_ name: String, _ flags: [String] = []) throws -> String {
        let created = try Interop.hoist(["create", "--network=none", "--name", name] + flags + ["busybox", "sleep", "600"], root: store)
        #expect(created.status == 0, "\(created.errorText)")
        return created.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func theUnitStartsAndStopsTheContainerWithThisHoistAndStore() throws {
        let id = try create("web", ["--stop-timeout", "4"])
        let generated = try Interop.hoist(["generate", "systemd", "web"], root: store)
        #expect(generated.status == 0, "\(generated.errorText)")
        let root = store.path
        let pidFile = fixture.client.store.containerDirectory(id).path + "/exit.monitor-pid"
        #expect(generated.text == """
            # container-web.service
            # made by hoist generate systemd (Hoist \(HoistVersion.current))

            [Unit]
            Description=Hoist container-web.service
            Wants=network-online.target
            After=network-online.target
            RequiresMountsFor=\(root)

            [Service]
            Restart=on-failure
            TimeoutStopSec=64
            ExecStart=\(hoist) start --root \(root) --backend native web
            ExecStop=\(hoist) stop --root \(root) --backend native -t 4 web
            ExecStopPost=\(hoist) stop --root \(root) --backend native -t 4 web
            PIDFile=\(pidFile)
            Type=forking

            [Install]
            WantedBy=default.target

            """, "\(generated.text)")

        // Options as podman's.
        let options = try Interop.hoist(["generate", "systemd", "--no-header", "--restart-policy", "always", "-t", "30", "web"], root: store)
        #expect(options.text.hasPrefix("[Unit]\n"), "\(options.text)")
        #expect(options.text.contains("\nRestart=always\n") && options.text.contains("\nTimeoutStopSec=90\n"))
        #expect(options.text.contains(" -t 30 web\n"))

        // ExecStart as systemd runs it: the container runs, the PID file names its monitor.
        func line(_ key: String) throws -> [String] {
            let found = try #require(generated.text.split(separator: "\n").first { $0.hasPrefix(key + "=") })
            return found.dropFirst(key.count + 1).split(separator: " ").map(String.init)
        }
        let started = try ExternalCommand.run(try line("ExecStart"))
        #expect(started.status == 0, "\(started.errorText)")
        #expect(try Interop.hoist(["inspect", "--format", "{{.State.Status}}", "web"], root: store).text.hasPrefix("running"))
        let monitor = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let commandLine = try String(contentsOfFile: "/proc/\(monitor)/cmdline", encoding: .utf8)
        #expect(commandLine.contains("hoist-monitor"), "\(commandLine)")
        let stopped = try ExternalCommand.run(try line("ExecStop"))
        #expect(stopped.status == 0, "\(stopped.errorText)")
        #expect(try Interop.hoist(["inspect", "--format", "{{.State.Status}}", "web"], root: store).text.hasPrefix("exited"))
        // The monitor has gone with the container: systemd sees the service end.
        // Gone, or a zombie nobody has reaped yet (this machine's PID 1 may not reap).
        func ended() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(monitor)/stat", encoding: .utf8) else { return true }
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
        }
        var gone = false
        for _ in 0..<100 where !gone {
            gone = ended()
            if !gone { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(gone, "the monitor \(monitor) outlived hoist stop")
        _ = try Interop.hoist(["rm", "-f", "web"], root: store)
    }

    @Test(.enabled(if: Interop.available("systemd-analyze"), "systemd-analyze is not installed: the unit is not verified"))
    func systemdAnalyzeVerifyAcceptsTheUnit() throws {
        _ = try create("verified")
        let directory = fixture.directory.appending("units")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let written = try ExternalCommand.run(
            [Interop.hoistExecutable, "generate", "systemd", "--files", "verified"], environment: ["HOIST_ROOT": store.path],
            directory: directory)
        #expect(written.status == 0, "\(written.errorText)")
        let path = directory.appendingPathComponent("container-verified.service").path
        #expect(written.text == path + "\n")
        let verified = try ExternalCommand.run(["systemd-analyze", "verify", path])
        #expect(verified.status == 0, "systemd-analyze verify: \(verified.errorText)")
        _ = try Interop.hoist(["rm", "-f", "verified"], root: store)
    }

    @Test func badRequestsAreRefused() throws {
        _ = try create("refused")
        for (arguments, message) in [
            (["generate", "systemd", "no-such-container"], "no-such-container"),
            (["generate", "systemd", "--restart-policy", "sometimes", "refused"], "restart policy sometimes"),
            (["generate", "systemd", "--time=-1", "refused"], "negative"),
        ] {
            let output = try Interop.hoist(arguments, root: store)
            #expect(output.status != 0, "\(arguments) was accepted")
            #expect(output.errorText.contains(message), "\(arguments): \(output.errorText)")
            #expect(output.text.isEmpty)
        }
        _ = try Interop.hoist(["rm", "-f", "refused"], root: store)
    }
}
