import Foundation
import HoistTestSupport
import Testing

/// `hoist run -d`, `ps`, `logs`, `exec`, `kill`, `stop`, `wait`, `cp`, `commit`, `rm` as a
/// shell user meets them, with real runc/crun.
@Suite("hoist container commands", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct ContainerCommandTests {
    let directory: TemporaryDirectory
    let store: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = try commandLineStoreWithBusybox(in: directory)
    }

    private func hoist(_ arguments: String..., input: Data? = nil) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: store, input: input)
    }

    @Test func detachedContainerLifecycle() throws {
        let started = try hoist("run", "-d", "--name", "web", "-e", "MODE=bg", "busybox", "sh", "-c", "echo ready; echo warn >&2; exec sleep 1000")
        #expect(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 64)

        let ps = try hoist("ps")
        #expect(ps.text.contains("CONTAINER ID"))
        #expect(ps.text.contains(String(id.prefix(12))) && ps.text.contains("web") && ps.text.contains("Up "), "\(ps.text)")
        #expect(try hoist("ps", "-q").text == String(id.prefix(12)) + "\n")

        let exec = try hoist("exec", "-e", "EXTRA=1", "-w", "/tmp", "web", "sh", "-c", "echo $MODE$EXTRA; pwd; cat", input: Data("piped\n".utf8))
        #expect(exec.text == "bg1\n/tmp\n", "exec without -i reads no input: \(exec.text) \(exec.errorText)")
        let interactive = try hoist("exec", "-i", "web", "cat", input: Data("piped\n".utf8))
        #expect(interactive.text == "piped\n")
        #expect(try hoist("exec", "web", "sh", "-c", "exit 7").status == 7)
        let missing = try hoist("exec", "web", "no-such-command")
        #expect(missing.status != 0 && missing.errorText.contains("hoist: "), "\(missing.errorText)")

        let logs = try hoist("logs", String(id.prefix(6)))
        #expect(logs.text == "ready\n")
        #expect(logs.errorText == "warn\n")

        let refused = try hoist("rm", "web")
        #expect(refused.status == 1 && refused.errorText.contains("running"), "\(refused.errorText)")
        #expect(try hoist("stop", "-t", "0", "web").status == 0)
        #expect(try hoist("wait", "web").text == "137\n")
        let all = try hoist("ps", "-a", "--format", "json")
        // One object per line with Docker's keys, as `docker ps --format json`.
        let lines = all.text.split(separator: "\n")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data((lines.first.map(String.init) ?? "").utf8)) as? [String: Any])
        #expect(lines.count == 1 && listed["Names"] as? String == "web" && listed["State"] as? String == "exited", "\(all.text)")
        #expect(try hoist("ps").text.split(separator: "\n").count == 1, "only the header once nothing runs")
        #expect(try hoist("rm", "web").status == 0)
        #expect(try hoist("ps", "-a", "-q").text.isEmpty)
        #expect(try hoist("logs", "web").status == 1)
    }

    @Test func foregroundRunsAreKeptUnlessRm() throws {
        let kept = try hoist("run", "--name", "once", "busybox", "sh", "-c", "echo out; echo err >&2; exit 5")
        #expect(kept.status == 5 && kept.text == "out\n" && kept.errorText == "err\n")
        #expect(try hoist("ps", "-a").text.contains("Exited (5)"))
        #expect(try hoist("logs", "once").text == "out\n")
        #expect(try hoist("run", "--name", "once", "busybox", "true").errorText.contains("already in use"))
        #expect(try hoist("start", "once").status == 0)
        #expect(try hoist("wait", "once").text == "5\n")
        #expect(try hoist("logs", "once").text == "out\nout\n", "a restart appends to the logs")
        #expect(try hoist("rm", "once").status == 0)

        #expect(try hoist("run", "--rm", "busybox", "true").status == 0)
        #expect(try hoist("ps", "-a", "-q").text.isEmpty)
    }

    @Test func killSignalsAndExitCodes() throws {
        let id = try hoist("run", "-d", "busybox", "sh", "-c", "trap 'exit 42' TERM; while true; do sleep 0.05; done").text
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try hoist("kill", "-s", "TERM", id).status == 0)
        #expect(try hoist("wait", id).text == "42\n")
        let killed = try hoist("kill", id)
        #expect(killed.status == 1 && killed.errorText.contains("not running"))
        #expect(try hoist("rm", id).status == 0)
    }

    @Test func copyAndCommit() throws {
        let source = directory.appending("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try Data("from host\n".utf8).write(to: source.appendingPathComponent("f.txt"))
        #expect(try hoist("create", "--name", "box", "busybox", "cat", "/srv/f.txt", "/tmp/src/f.txt").status == 0)
        let copied = try hoist("cp", source.path, "box:/srv/")
        #expect(copied.status == 1 && copied.errorText.contains("no such directory"), "\(copied.errorText)")
        // To a path that does not exist: copied as it; into a directory that does: under its own name.
        #expect(try hoist("cp", source.path, "box:/srv").status == 0)
        #expect(try hoist("cp", source.path, "box:/tmp").status == 0)
        #expect(try hoist("start", "box").status == 0)
        #expect(try hoist("wait", "box").text == "0\n")
        #expect(try hoist("logs", "box").text == "from host\nfrom host\n")

        let out = directory.appending("out")
        #expect(try hoist("cp", "box:/tmp/src/f.txt", out.path).status == 0)
        #expect(try String(contentsOf: out, encoding: .utf8) == "from host\n")
        #expect(try hoist("cp", "box:/no/such", directory.appending("x").path).status == 1)

        let committed = try hoist("commit", "-c", "ENV PHASE=two", "box", "snapshot:1")
        #expect(committed.status == 0 && committed.text.hasPrefix("sha256:"), "\(committed.errorText)")
        #expect(try hoist("run", "--rm", "snapshot:1").text == "from host\nfrom host\n", "commit keeps the container's command")
        #expect(try hoist("run", "--rm", "snapshot:1", "sh", "-c", "echo $PHASE").text == "two\n")
        #expect(try hoist("rm", "box").status == 0)
    }

    @Test func securityFlagsAndTerminal() throws {
        let readOnly = try hoist("run", "--rm", "--read-only", "busybox", "touch", "/file")
        #expect(readOnly.status != 0 && readOnly.errorText.contains("Read-only"), "\(readOnly.errorText)")
        let dropped = try hoist("run", "--rm", "--cap-drop", "CHOWN", "busybox", "chown", "1:1", "/tmp")
        #expect(dropped.status != 0)
        #expect(try hoist("run", "--rm", "busybox", "chown", "1:1", "/tmp").status == 0)
        let added = try hoist("run", "--rm", "--cap-add", "NET_ADMIN", "busybox", "ip", "link", "set", "lo", "down")
        #expect(added.status == 0, "\(added.errorText)")
        #expect(try hoist("run", "--rm", "busybox", "ip", "link", "set", "lo", "down").status != 0)
        #expect(try hoist("run", "--rm", "--cap-add", "NOPE", "busybox", "true").errorText.contains("unknown capability"))

        // -t: the container's stdio is a terminal (script gives hoist one). The verdict goes to
        // a file: under load script may end before it copies a short-lived session's output.
        let verdict = directory.appending("verdict")
        try FileManager.default.createDirectory(at: verdict, withIntermediateDirectories: true)
        let command = "\(Interop.hoistExecutable) run --rm -t -v \(verdict.path):/out busybox sh -c 'test -t 0 && test -t 1 && echo tty > /out/result'"
        let terminal = try ExternalCommand.run(["script", "-qec", command, "/dev/null"], environment: ["HOIST_ROOT": store.path])
        let result = try? String(contentsOf: verdict.appendingPathComponent("result"), encoding: .utf8)
        #expect(terminal.status == 0 && result == "tty\n", "\(terminal.text) \(terminal.errorText)")
        let noTerminal = try hoist("run", "--rm", "busybox", "sh", "-c", "test -t 1 || echo pipe")
        #expect(noTerminal.text == "pipe\n")
    }

    @Test func imagesUsedByContainersAreKept() throws {
        let rootfs = directory.appending("rootfs.tar")
        try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "spare"], root: store).checkedStatus()
        #expect(try hoist("create", "--name", "user", "busybox", "true").status == 0)
        let refused = try hoist("rmi", "busybox")
        #expect(refused.status == 1 && refused.errorText.contains("container"), "\(refused.errorText)")
        #expect(try hoist("prune", "-a", "-f").status == 0)
        let left = try hoist("images", "--format", "{{.Repository}}:{{.Tag}}")
        #expect(left.text == "busybox:latest\n", "prune -a removes only the image no container uses: \(left.text)")
        let usage = try hoist("system", "df")
        let containers = usage.text.split(separator: "\n").first { $0.hasPrefix("Containers") }.map(String.init) ?? ""
        #expect(containers.split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(2) == ["1", "0"], "\(usage.text)")
        #expect(try hoist("rm", "user").status == 0)
        #expect(try hoist("rmi", "busybox").status == 0)
    }

    @Test func formatTemplates() throws {
        #expect(try hoist("run", "--name", "done", "busybox", "sh", "-c", "exit 4").status == 4)
        #expect(try hoist("ps", "-a", "--format", "{{.Names}} {{.State}}").text == "done exited\n")
        let table = try hoist("ps", "-a", "--format", "table {{.Names}}\\t{{.Status}}").text.split(separator: "\n")
        #expect(table.first?.hasPrefix("NAMES ") == true && table.count == 2 && table[1].hasPrefix("done "), "\(table)")
        #expect(try hoist("inspect", "-f", "{{.State.ExitCode}} {{.Name}} {{json .Config.Cmd}}", "done").text == "4 /done [\"sh\",\"-c\",\"exit 4\"]\n")
        #expect(try hoist("inspect", "--format", "{{.Config.Cmd}} {{json .RepoTags}}", "busybox").text == "[sh] [\"busybox:latest\"]\n")
        let id = try hoist("images", "--format", "{{.ID}}").text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 12)
        #expect(try hoist("images", "--format", "{{.Repository}}:{{.Tag}}").text == "busybox:latest\n")
        #expect(try hoist("rm", "done").status == 0)
    }

    @Test func badInputIsAClearError() throws {
        let cases: [([String], String)] = [
            // Without --pull never a missing image is pulled (from Docker Hub): not from a test.
            (["run", "-d", "--pull", "never", "nothere"], "No such image: nothere:latest"),
            (["run", "-d", "Not/A-Valid:Reference!"], "hoist: "),
            (["ps", "--format", "{{range .}}"], "template parsing error"),
            (["run", "-d", "--name", "a/b", "busybox"], "invalid container name"),
            (["run", "-d", "busybox", "/no/such/program"], "hoist: "),
            (["run", "-d", "-v", "/no/such/dir:/x", "busybox"], "does not exist"),
            (["run", "-d", "-i", "busybox"], "cannot be combined"),
            (["exec", "nocontainer", "true"], "no such container"),
            (["rm", "nocontainer"], "no such container"),
            (["cp", "/etc/hostname", "/tmp/x"], "CONTAINER:PATH"),
        ]
        for (arguments, message) in cases {
            let output = try Interop.hoist(arguments, root: store)
            #expect(output.status != 0, "hoist \(arguments) exited 0")
            #expect(output.errorText.contains(message), "hoist \(arguments): \(output.errorText)")
        }
        #expect(try hoist("ps", "-a", "-q").text.isEmpty, "nothing is left of containers that failed to start")
    }
}
