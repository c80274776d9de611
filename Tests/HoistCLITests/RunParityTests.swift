import Foundation
import Hoist
import HoistTestSupport
import Testing

/// `hoist run` against `docker run` on the same busybox image, one case per habit of Docker users
/// (issue 24): the environment from the host and env files, tmpfs and bind mounts, limits, devices,
/// attached streams, exit codes, `-d --rm`, `--rm --name`, labels, `--restart`. Output and exit
/// status must be equal; where Hoist adds a note on stderr (z/Z) only stdout is compared.
@Suite(
    "docker run habits, parity with Docker", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc")))
struct RunParityTests {
    static let image = "hoist-run-parity:1"

    let fixture: BusyboxFixture
    let store: URL

    init() throws {
        fixture = try BusyboxFixture.alsoInDocker(Self.image)
        store = fixture.client.store.root.url
    }

    /// `docker run --rm FLAGS IMAGE COMMAND` and `hoist run --rm FLAGS IMAGE COMMAND`, both without
    /// a network (this machine's dockerd has no bridge), with `environment` added to both clients'.
    func both(_ flags: [String], _ command: [String], environment: [String: String] = [:])
        throws -> (docker: ExternalCommand.Output, hoist: ExternalCommand.Output)
    {
        let docker = try ExternalCommand.run(
            [Interop.docker, "run", "--rm", "--network=none"] + flags + [Self.image] + command, environment: environment)
        let hoist = try ExternalCommand.run(
            [Interop.hoistExecutable, "run", "--rm", "--network=none"] + flags + [Self.image] + command,
            environment: environment.merging(["HOIST_ROOT": store.path]) { $1 })
        return (docker, hoist)
    }

    /// A file in the test's directory.
    func file(_ name: String, _ contents: String) throws -> String {
        let url = fixture.directory.appending(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    /// The variables the command sees, but for the hostname (the container's ID, different in each).
    static let environmentProbe = ["sh", "-c", "env | grep -v '^HOSTNAME=' | sort"]

    /// Each case: flags, command, whether stderr is compared too.
    func cases() throws -> [String: ([String], [String], Bool)] {
        let shared = fixture.directory.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try Data("from the host\n".utf8).write(to: shared.appendingPathComponent("greeting"))
        let envFile = try file("parity.env", """
            # a comment
              INDENTED=kept as it is
            QUOTED="quotes stay"
            EMPTY=
            PARITY_FROM_HOST
            PARITY_UNSET_ON_HOST
            SPACES=a b  c\r
            """)
        let mountsProbe = { (path: String) in ["sh", "-c", "grep ' \(path) ' /proc/mounts | cut -d' ' -f3,4; stat -c '%a' \(path)"] }
        return [
            "-e NAME from the host": (["-e", "PARITY_FROM_HOST", "-e", "PARITY_UNSET_ON_HOST", "-e", "SET=here"], Self.environmentProbe, true),
            "--env-file, then -e": (["--env-file", envFile, "-e", "EMPTY=overridden"], Self.environmentProbe, true),
            "--tmpfs with options": (["--tmpfs", "/scratch:size=1m,mode=1770"], mountsProbe("/scratch"), true),
            "--tmpfs plain": (["--tmpfs", "/scratch"], mountsProbe("/scratch"), true),
            "--mount type=tmpfs": (["--mount", "type=tmpfs,target=/t,tmpfs-size=2097152,tmpfs-mode=700"], mountsProbe("/t"), true),
            "--mount type=bind,readonly": (
                ["--mount", "type=bind,source=\(shared.path),target=/data,readonly"],
                ["sh", "-c", "cat /data/greeting; touch /data/new"], true
            ),
            "-v :ro": (["-v", "\(shared.path):/data:ro"], ["sh", "-c", "cat /data/greeting; touch /data/new"], true),
            "-v :z (stdout)": (["-v", "\(shared.path):/data:z"], ["sh", "-c", "cat /data/greeting; ls /data"], false),
            "--ulimit": (
                ["--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64", "--ulimit", "core=-1"],
                ["sh", "-c", "grep -E 'open files|processes|core file' /proc/self/limits"], true
            ),
            "--shm-size": (["--shm-size", "8m"], ["sh", "-c", "grep ' /dev/shm ' /proc/mounts | cut -d' ' -f4"], true),
            "--device": (
                ["--device", "/dev/null:/dev/hoist-null:rw"],
                ["sh", "-c", "ls -l /dev/hoist-null | cut -c1-10; echo x > /dev/hoist-null && echo written"], true
            ),
            "-a stdout": (["-a", "stdout"], ["sh", "-c", "echo out; echo err >&2"], true),
            "-a stderr": (["-a", "stderr"], ["sh", "-c", "echo out; echo err >&2"], true),
            "exit code": ([], ["sh", "-c", "exit 3"], true),
            // Whether busybox's shell reports the killed job ("Killed") depends on when it reaps it, under either engine.
            "exit code of a signal": ([], ["sh", "-c", "sleep 5 & kill -9 $!; wait $!"], false),
            "--init runs the command under an init": (["--init"], ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' ' | cut -d' ' -f2-"], true),
        ]
    }

    static let caseNames = [
        "-e NAME from the host", "--env-file, then -e", "--tmpfs with options", "--tmpfs plain", "--mount type=tmpfs",
        "--mount type=bind,readonly", "-v :ro", "-v :z (stdout)", "--ulimit", "--shm-size", "--device", "-a stdout", "-a stderr",
        "exit code", "exit code of a signal", "--init runs the command under an init",
    ]

    @Test(arguments: caseNames)
    func runMatchesDocker(name: String) throws {
        let (flags, command, comparesErrors) = try #require(try cases()[name])
        let (docker, hoist) = try both(flags, command, environment: ["PARITY_FROM_HOST": "host value"])
        #expect(hoist.status == docker.status, "\(name): exit \(hoist.status) under hoist, \(docker.status) under docker; hoist said \(hoist.errorText)")
        #expect(hoist.text == docker.text, "\(name):\nhoist:\n\(hoist.text)\ndocker:\n\(docker.text)")
        if comparesErrors {
            #expect(hoist.errorText == docker.errorText, "\(name) stderr:\nhoist:\n\(hoist.errorText)\ndocker:\n\(docker.errorText)")
        }
    }

    @Test func zAndZSayTheyRelabelNothing() throws {
        let output = try Interop.hoist(["run", "--rm", "--network=none", "-v", "/tmp:/data:Z", Self.image, "true"], root: store)
        #expect(output.status == 0, "\(output.errorText)")
        #expect(output.errorText.contains("relabel nothing"), "\(output.errorText)")
    }

    @Test func badHabitsAreRefusedClearly() throws {
        for (flags, message) in [
            (["--ulimit", "nofile=2048:1024"], "soft limit must be less than or equal to hard limit"),
            (["--ulimit", "bogus=1"], "invalid ulimit type: bogus"),
            (["--device", "/dev/no-such-device"], "/dev/no-such-device"),
            (["--restart", "sometimes"], "invalid restart policy sometimes"),
            (["--mount", "type=bind,target=/x"], "source is required"),
            (["--tmpfs", "relative"], "absolute path"),
            (["--env-file", "/no/such/file"], "--env-file /no/such/file"),
            (["-a", "stdout", "-d"], "conflicting options"),
            (["--pull", "sometimes"], "--pull sometimes"),
        ] {
            let output = try Interop.hoist(["run", "--rm", "--network=none"] + flags + [Self.image, "true"], root: store)
            #expect(output.status != 0, "\(flags) was accepted")
            #expect(output.errorText.contains(message), "\(flags): \(output.errorText)")
        }
    }

    /// `-d --rm`: the container runs in the background and is gone once it has ended.
    @Test func detachedRemovedContainersGoAfterTheyEnd() throws {
        let name = uniqueDockerName("detached-rm")
        let dockerID = try ExternalCommand.checked(
            [Interop.docker, "run", "-d", "--rm", "--network=none", "--name", name, Self.image, "sh", "-c", "sleep 3"]).text
        let hoistID = try Interop.hoist(["run", "-d", "--rm", "--network=none", "--name", name, Self.image, "sh", "-c", "sleep 3"], root: store)
        #expect(hoistID.status == 0, "\(hoistID.errorText)")
        #expect(hoistID.text.trimmingCharacters(in: .whitespacesAndNewlines).count == dockerID.trimmingCharacters(in: .whitespacesAndNewlines).count)
        // Running: listed by both.
        #expect(try Interop.hoist(["ps", "--format", "{{.Names}}"], root: store).text.contains(name))
        var dockerGone = false
        var hoistGone = false
        for _ in 0..<150 where !(dockerGone && hoistGone) {
            Thread.sleep(forTimeInterval: 0.1)
            dockerGone = try !ExternalCommand.checked([Interop.docker, "ps", "-a", "--format", "{{.Names}}"]).text.contains(name)
            hoistGone = try !Interop.hoist(["ps", "-a", "--format", "{{.Names}}"], root: store).text.contains(name)
        }
        #expect(dockerGone && hoistGone, "docker removed it: \(dockerGone), hoist: \(hoistGone)")
        // Really removed, not hidden: the name can be taken again, and the store holds no record.
        #expect(try fixture.client.store.containers().isEmpty)
    }

    /// `--rm --name`: named while it runs, gone after, the name free again.
    @Test func removedContainersKeepTheirNameWhileTheyRun() throws {
        let name = uniqueDockerName("rm-name")
        for _ in 0..<2 {
            let (docker, hoist) = try both(["--name", name], ["sh", "-c", "echo running"])
            #expect(docker.status == 0 && hoist.status == 0, "\(hoist.errorText)")
            #expect(hoist.text == docker.text)
        }
        #expect(try fixture.client.store.containers().isEmpty)
    }

    /// `--label`, `--label-file` as `inspect` shows them.
    @Test func labelsAsInspectShowsThem() throws {
        let labelFile = try file("parity.labels", "# labels\ncolour=blue\nbare\nspaced=a b\n")
        let name = uniqueDockerName("labels")
        let flags = ["--network=none", "--label-file", labelFile, "-l", "colour=green", "--label", "team=hoist"]
        try ExternalCommand.checked([Interop.docker, "create", "--name", name] + flags + [Self.image, "true"])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name]) }
        let created = try Interop.hoist(["create", "--name", name] + flags + [Self.image, "true"], root: store)
        #expect(created.status == 0, "\(created.errorText)")
        let docker = try ExternalCommand.checked([Interop.docker, "inspect", "--format", "{{json .Config.Labels}}", name]).standardOutput
        let hoist = try Interop.hoist(["inspect", "--format", "{{json .Config.Labels}}", name], root: store).standardOutput
        let dockerLabels = try JSONDecoder().decode([String: String].self, from: docker)
        let hoistLabels = try JSONDecoder().decode([String: String].self, from: hoist)
        #expect(hoistLabels == dockerLabels)
        // A name alone in a label file is dropped, as docker's reader drops it.
        #expect(hoistLabels == ["colour": "green", "spaced": "a b", "team": "hoist"])
    }

    /// `--restart on-failure:2` in the background: two more runs after the first, then it stays ended.
    @Test func restartOnFailureIsHonouredByTheMonitor() throws {
        let name = uniqueDockerName("restart")
        let command = ["sh", "-c", "echo run; exit 3"]
        try ExternalCommand.checked([Interop.docker, "run", "-d", "--network=none", "--restart", "on-failure:2", "--name", name, Self.image] + command)
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name]) }
        let started = try Interop.hoist(["run", "-d", "--network=none", "--restart", "on-failure:2", "--name", name, Self.image] + command, root: store)
        #expect(started.status == 0, "\(started.errorText)")
        func settled(_ logs: () throws -> String, _ status: () throws -> String) throws -> String {
            // Docker waits 100, 200 ms between runs; after the last one the logs stop growing.
            var last = ""
            var unchanged = 0
            for _ in 0..<100 {
                Thread.sleep(forTimeInterval: 0.2)
                let now = try logs()
                let ended = try status().hasPrefix("exited")
                unchanged = now == last && ended ? unchanged + 1 : 0
                if unchanged == 4 { return now }
                last = now
            }
            return last
        }
        let dockerLogs = try settled(
            { try ExternalCommand.checked([Interop.docker, "logs", name]).text },
            { try ExternalCommand.checked([Interop.docker, "inspect", "--format", "{{.State.Status}}", name]).text })
        let hoistLogs = try settled(
            { try Interop.hoist(["logs", name], root: store).text },
            { try Interop.hoist(["inspect", "--format", "{{.State.Status}}", name], root: store).text })
        #expect(hoistLogs == dockerLogs, "hoist:\n\(hoistLogs)\ndocker:\n\(dockerLogs)")
        #expect(hoistLogs == "run\nrun\nrun\n")
        let code = try Interop.hoist(["inspect", "--format", "{{.State.ExitCode}}", name], root: store).text
        #expect(code.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
        _ = try Interop.hoist(["rm", "-f", name], root: store)
    }

    /// `--restart on-failure:2` in the foreground: the client gets the first run's exit code,
    /// and the container is restarted all the same (Docker's daemon takes it over; here the
    /// monitor does): three runs in all, counted in a volume.
    @Test func foregroundRestartIsHandedToTheMonitor() throws {
        let name = uniqueDockerName("restart-fg")
        let volume = uniqueDockerName("runs")
        let command = ["sh", "-c", "echo run >> /count/runs; echo run; exit 3"]
        let flags = ["--network=none", "--restart", "on-failure:2", "--name", name, "-v", "\(volume):/count"]
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", volume])
        }
        let docker = try ExternalCommand.run([Interop.docker, "run"] + flags + [Self.image] + command)
        let hoist = try Interop.hoist(["run"] + flags + [Self.image] + command, root: store)
        #expect(hoist.status == docker.status && hoist.status == 3, "hoist \(hoist.status): \(hoist.errorText)")
        #expect(hoist.text == docker.text && hoist.text == "run\n", "hoist: \(hoist.text) docker: \(docker.text)")

        /// The runs counted once the container has ended and stayed ended for a while.
        func settledRuns(_ count: () throws -> String, _ status: () throws -> String) throws -> Int {
            var last = ""
            var unchanged = 0
            for _ in 0..<100 {
                Thread.sleep(forTimeInterval: 0.2)
                let now = try count()
                let ended = try status().hasPrefix("exited")
                unchanged = now == last && ended ? unchanged + 1 : 0
                if unchanged == 4 { break }
                last = now
            }
            return last.split(separator: "\n").count
        }
        let probe = ["--rm", "--network=none", "-v", "\(volume):/count", Self.image, "cat", "/count/runs"]
        let dockerRuns = try settledRuns(
            { try ExternalCommand.run([Interop.docker, "run"] + probe).text },
            { try ExternalCommand.checked([Interop.docker, "inspect", "--format", "{{.State.Status}}", name]).text })
        let hoistRuns = try settledRuns(
            { try Interop.hoist(["run"] + probe, root: store).text },
            { try Interop.hoist(["inspect", "--format", "{{.State.Status}}", name], root: store).text })
        #expect(dockerRuns == 3)
        #expect(hoistRuns == dockerRuns, "hoist ran it \(hoistRuns) times, docker \(dockerRuns)")
        #expect(try Interop.hoist(["logs", name], root: store).text == "run\nrun\nrun\n")
        #expect(try Interop.hoist(["rm", name], root: store).status == 0)
        #expect(try Interop.hoist(["volume", "rm", volume], root: store).status == 0)
    }

    /// A restarting container has no terminal or input under its monitor, and no --rm.
    @Test func foregroundRestartRefusesWhatTheMonitorCannotDo() throws {
        let withRm = try Interop.hoist(["run", "--rm", "--restart", "always", "--network=none", Self.image, "true"], root: store)
        #expect(withRm.status != 0 && withRm.errorText.contains("cannot specify both --restart and --rm"), "\(withRm.errorText)")
        let name = uniqueDockerName("restart-input")
        let withInput = try Interop.hoist(
            ["run", "-i", "--restart", "on-failure", "--network=none", "--name", name, Self.image, "cat"], root: store, input: Data("x".utf8))
        #expect(withInput.status == 125 && withInput.errorText.contains("no terminal or input"), "\(withInput.status): \(withInput.errorText)")
        _ = try Interop.hoist(["rm", "-f", name], root: store)
    }

    /// `hoist stop` of a container that restarts `always` stops it for good.
    @Test func stopEndsAnAlwaysRestartingContainer() throws {
        let name = uniqueDockerName("always")
        let started = try Interop.hoist(
            ["run", "-d", "--network=none", "--restart", "always", "--name", name, Self.image, "sh", "-c", "echo run; sleep 0.2"], root: store)
        #expect(started.status == 0, "\(started.errorText)")
        var runs = 0
        for _ in 0..<100 where runs < 3 {
            Thread.sleep(forTimeInterval: 0.1)
            runs = try Interop.hoist(["logs", name], root: store).text.split(separator: "\n").count
        }
        #expect(runs >= 3, "restarted \(runs) times")
        let stopped = try Interop.hoist(["stop", "-t", "1", name], root: store)
        #expect(stopped.status == 0, "\(stopped.errorText)")
        let after = try Interop.hoist(["logs", name], root: store).text
        Thread.sleep(forTimeInterval: 1)
        #expect(try Interop.hoist(["logs", name], root: store).text == after, "it ran again after hoist stop")
        #expect(try Interop.hoist(["inspect", "--format", "{{.State.Status}}", name], root: store).text.hasPrefix("exited"))
        #expect(try Interop.hoist(["rm", name], root: store).status == 0)
    }
}
