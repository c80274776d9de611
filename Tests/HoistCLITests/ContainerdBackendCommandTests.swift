import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// `hoist` on the containerd backend against a real containerd (the tests' own, see
/// ``TestContainerd``), checked by `ctr`, containerd's own client: what Hoist builds and
/// loads, ctr runs; what ctr pulls, Hoist runs.
@Suite("hoist on the containerd backend", .serialized, .enabled(if: TestContainerd.available))
struct ContainerdBackendCommandTests {
    private let daemon: TestContainerd
    private let fixture: BusyboxFixture
    private var store: URL { fixture.client.store.root.url }

    init() throws {
        daemon = try TestContainerd.shared()
        fixture = try BusyboxFixture()
    }

    private func hoist(_ arguments: [String], environment: [String: String] = [:]) throws -> ExternalCommand.Output {
        try ExternalCommand.run(
            [Interop.hoistExecutable] + arguments,
            environment: [
                "HOIST_ROOT": store.path, "HOIST_BACKEND": "containerd", "CONTAINERD_ADDRESS": daemon.socket,
                "CONTAINERD_NAMESPACE": daemon.namespace,
            ].merging(environment) { $1 })
    }

    @Test func aBuildLoadedIntoContainerdRunsWithCtr() throws {
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo built by hoist > /greeting\nCMD [\"cat\", \"/greeting\"]\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let tag = "hoist-ctr-\(UUID().uuidString.prefix(8).lowercased()):1"
        let full = "docker.io/library/\(tag)"
        defer { _ = try? daemon.ctr(["images", "rm", "--sync", full]) }
        let build = try hoist(["build", "--load", "--network", "none", "-t", tag, context.path])
        #expect(build.status == 0, "\(build.errorText)")
        #expect(try daemon.ctrChecked(["images", "list", "-q"]).text.split(separator: "\n").contains(Substring(full)))
        #expect(try daemon.ctrChecked(["images", "check"]).text.contains(full))

        let container = "hoist-ctr-run-\(UUID().uuidString.prefix(8).lowercased())"
        let run = try daemon.ctr(["run", "--rm", full, container])
        #expect(run.status == 0 && run.text == "built by hoist\n", "\(run.text)\(run.errorText)")
        let command = try daemon.ctr(["run", "--rm", full, container, "sh", "-c", "id -u; cat /greeting"])
        #expect(command.text == "0\nbuilt by hoist\n", "\(command.errorText)")

        // And Hoist lists and runs it from containerd too.
        let images = try hoist(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        #expect(images.text.contains(tag), "\(images.text)\(images.errorText)")
        let hoistRun = try hoist(["run", "--rm", tag])
        #expect(hoistRun.status == 0 && hoistRun.text == "built by hoist\n", "\(hoistRun.errorText)")
        let removed = try hoist(["rmi", tag])
        #expect(removed.status == 0 && removed.text.contains("Untagged: \(tag)"), "\(removed.errorText)")
        #expect(try !daemon.ctrChecked(["images", "list", "-q"]).text.contains(full))
    }

    @Test(.enabled(if: Interop.available("docker-registry")))
    func anImagePulledByCtrRunsOnHoist() async throws {
        let registry = try TestRegistry(in: fixture.directory.appending("registry"))
        let name = "\(registry.host)/hoist/busybox:ctr"
        try fixture.client.tag("busybox", as: name)
        _ = try await fixture.client.push(name)
        defer { _ = try? daemon.ctr(["images", "rm", "--sync", name]) }
        try daemon.ctrChecked(["images", "pull", "--plain-http", name])

        // A client with an empty store: the image is containerd's alone.
        let client = try Client(root: StoreRoot(fixture.directory.appending("empty-store")), backend: .containerd)
        #expect(await client.image(name).exists())
        #expect(try await Client(root: StoreRoot(fixture.directory.appending("empty-store"))).images().isEmpty, "nothing went into Hoist's own store")
        let run = try await client.image(name).instantiate(.shell("echo pulled by ctr; cat /etc/hostname >/dev/null; exit 5")).run()
        #expect(run.exitCode == 5)
        #expect(run.standardOutput == "pulled by ctr\n", "\(run.combined)")
        // Other suites share the daemon: only this image's containers count.
        #expect(try !daemon.ctrChecked(["containers", "list"]).text.contains(name), "the container is gone after run")
    }

    @Test func keptContainersAreContainerdContainers() throws {
        let name = "hoist-kept-\(UUID().uuidString.prefix(8).lowercased())"
        let image = "hoist-kept-image-\(UUID().uuidString.prefix(8).lowercased())"
        try fixture.client.tag("busybox", as: image)
        defer {
            _ = try? hoist(["rm", "-f", name])
            _ = try? hoist(["rmi", image])
        }
        let started = try hoist(["run", "-d", "--name", name, image, "sh", "-c", "echo started; echo warn >&2; exec sleep 1000"])
        #expect(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let task = try daemon.ctrChecked(["tasks", "list"]).text.split(separator: "\n").first { $0.hasPrefix(id) }
        #expect(task?.hasSuffix("RUNNING") == true, "ctr sees its task run: \(String(describing: task))")
        let ps = try hoist(["ps", "--format", "{{.Names}} {{.State}}"])
        #expect(ps.text.contains("\(name) running"), "\(ps.text)\(ps.errorText)")
        let exec = try hoist(["exec", name, "sh", "-c", "echo inside $(hostname); exit 4"])
        #expect(exec.status == 4 && exec.text.hasPrefix("inside "), "\(exec.text)\(exec.errorText)")
        #expect(try hoist(["kill", name]).status == 0)
        #expect(try hoist(["wait", name]).text == "137\n")
        let logs = try hoist(["logs", name])
        #expect(logs.text == "started\n" && logs.errorText == "warn\n", "\(logs.text)|\(logs.errorText)")
        #expect(try hoist(["rm", name]).status == 0)
        #expect(try !daemon.ctrChecked(["containers", "list", "-q"]).text.contains(id))
    }

    /// `run --rm` on containerd: in the foreground the container goes with its exit code; with
    /// `-d` it runs in the background and, once ended, the next command removes it, as the
    /// native backend does (no daemon of Hoist's removes it sooner).
    @Test func removedContainersGoAfterTheyEnd() throws {
        let image = "hoist-rm-image-\(UUID().uuidString.prefix(8).lowercased())"
        try fixture.client.tag("busybox", as: image)
        defer { _ = try? hoist(["rmi", image]) }
        let foreground = try hoist(["run", "--rm", image, "sh", "-c", "echo out; exit 5"])
        #expect(foreground.status == 5 && foreground.text == "out\n", "\(foreground.errorText)")
        let name = "hoist-detached-rm-\(UUID().uuidString.prefix(8).lowercased())"
        defer { _ = try? hoist(["rm", "-f", name]) }
        let started = try hoist(["run", "-d", "--rm", "--name", name, image, "sh", "-c", "sleep 2"])
        #expect(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try hoist(["ps", "--format", "{{.Names}}"]).text.contains(name))
        #expect(try hoist(["wait", name]).text == "0\n")
        #expect(try !hoist(["ps", "-a", "--format", "{{.Names}}"]).text.contains(name))
        #expect(try !daemon.ctrChecked(["containers", "list", "-q"]).text.contains(id), "removed, not hidden")
    }

    /// The day-two verbs on containerd (issue 19): pause/unpause through the task service (ctr
    /// sees it paused), top over the task's PIDs, stats from its cgroup, rename as its label;
    /// logs with --tail and -f, and --since/--until/-t refused (its logger keeps no times).
    @Test(.timeLimit(.minutes(3)))
    func dayTwoVerbsOnContainerd() throws {
        let (name, renamed) = ("hoist-daytwo-\(UUID().uuidString.prefix(8).lowercased())", "hoist-renamed-\(UUID().uuidString.prefix(8).lowercased())")
        let image = "hoist-daytwo-image-\(UUID().uuidString.prefix(8).lowercased())"
        try fixture.client.tag("busybox", as: image)
        defer {
            _ = try? hoist(["rm", "-f", name])
            _ = try? hoist(["rm", "-f", renamed])
            _ = try? hoist(["rmi", image])
        }
        let started = try hoist(["run", "-d", "--name", name, image, "sh", "-c", "for i in 1 2 3; do echo line $i; done; exec sleep 1000"])
        try #require(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        while try hoist(["logs", name]).text != "line 1\nline 2\nline 3\n" { usleep(20_000) }
        #expect(try hoist(["logs", "--tail", "1", name]).text == "line 3\n")
        let timed = try hoist(["logs", "-t", name])
        #expect(timed.status == 1 && timed.errorText.contains("keep no times"), "\(timed.errorText)")
        #expect(try hoist(["pause", name]).text == "\(name)\n")
        let task = try daemon.ctrChecked(["tasks", "list"]).text.split(separator: "\n").first { $0.hasPrefix(id) }
        #expect(task?.hasSuffix("PAUSED") == true, "\(String(describing: task))")
        #expect(try hoist(["ps", "--filter", "name=\(name)", "--format", "{{.State}}"]).text == "paused\n")
        #expect(try hoist(["pause", name]).status == 1)
        #expect(try hoist(["unpause", name]).text == "\(name)\n")
        let top = try hoist(["top", name, "-o", "pid,comm"])
        #expect(top.status == 0 && top.text.split(separator: "\n").dropFirst().map { $0.split(separator: " ").last } == ["sleep"], "\(top.text)\(top.errorText)")
        let stats = try hoist(["stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", name])
        #expect(stats.text == "\(name) 1\n", "\(stats.text)\(stats.errorText)")
        #expect(try hoist(["rename", name, renamed]).status == 0)
        #expect(try hoist(["inspect", "--format", "{{.Name}}", renamed]).text == "/\(renamed)\n")
        // -f ends with the container.
        #expect(try hoist(["kill", renamed]).status == 0)
        #expect(try hoist(["logs", "-f", renamed]).text == "line 1\nline 2\nline 3\n")
    }

    @Test func errorsAreOneClearLine() async throws {
        let image = "hoist-unpacked-\(UUID().uuidString.prefix(8).lowercased())"
        // A layer of its own: busybox's is unpacked already by the other tests.
        let tree = fixture.directory.appending("unique")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data(image.utf8).write(to: tree.appendingPathComponent("marker"))
        let rootfs = fixture.directory.appending("unique.tar")
        try ExternalCommand.checked(["tar", "-C", tree.path, "-cf", rootfs.path, "marker"])
        try fixture.client.importImage(rootfs: rootfs, as: image, changes: ["CMD [\"true\"]"])

        let noSocket = try hoist(["run", "--rm", image, "true"], environment: ["CONTAINERD_ADDRESS": "/nonexistent/containerd.sock"])
        // docker run's code for a container that could not be run at all.
        #expect(noSocket.status == 125)
        #expect(
            noSocket.errorText == "hoist: the containerd backend cannot be used: no containerd socket at /nonexistent/containerd.sock\n",
            "\(noSocket.errorText)")

        let noNamespace = try hoist(["images"], environment: ["CONTAINERD_NAMESPACE": "hoist-nothere"])
        #expect(noNamespace.status == 1)
        #expect(
            noNamespace.errorText.hasPrefix("hoist: containerd namespace \"hoist-nothere\" does not exist")
                && noNamespace.errorText.split(separator: "\n").count == 1, "\(noNamespace.errorText)")

        // Imported by ctr without unpacking, then a layer taken away: nothing to unpack from.
        let archive = fixture.directory.appending("image.tar")
        try await fixture.client.save([image], to: archive)
        let full = "docker.io/library/\(image):latest"
        defer { _ = try? daemon.ctr(["images", "rm", "--sync", full]) }
        try daemon.ctrChecked(["images", "import", "--no-unpack", archive.path])
        let layer = try fixture.client.inspect(image).layers[0].digestString
        try daemon.ctrChecked(["content", "rm", layer])
        let notUnpacked = try hoist(["run", "--rm", image, "true"])
        #expect(notUnpacked.status == 125)
        #expect(
            notUnpacked.errorText.contains("has no unpacked snapshot for linux/amd64")
                && notUnpacked.errorText.split(separator: "\n").count == 1, "\(notUnpacked.errorText)")
    }
}
