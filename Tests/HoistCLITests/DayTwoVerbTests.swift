import Foundation
import HoistTestSupport
import Testing

/// The day-two verbs a Docker user reaches for (issue 19): `restart`, `port`, `history`,
/// `container prune`, `version`, `info`, and the management forms `image …` / `container …`,
/// with real runc/crun.
@Suite("hoist day-two verbs", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct DayTwoVerbTests {
    let directory: TemporaryDirectory
    let store: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = try commandLineStoreWithBusybox(in: directory)
    }

    private func hoist(_ arguments: String..., input: Data? = nil) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: store, input: input)
    }

    @Test func restartStopsAndStartsAgain() throws {
        #expect(try hoist("run", "-d", "--name", "counter", "busybox", "sh", "-c", "date +%s%N >> /started; exec sleep 1000").status == 0)
        defer { _ = try? hoist("rm", "-f", "counter") }
        let firstStart = try hoist("inspect", "--format", "{{.State.StartedAt}}", "counter").text
        let restarted = try hoist("restart", "-t", "1", "counter")
        #expect(restarted.status == 0 && restarted.text == "counter\n", "\(restarted.errorText)")
        #expect(try hoist("inspect", "--format", "{{.State.Status}}", "counter").text == "running\n")
        #expect(try hoist("inspect", "--format", "{{.State.StartedAt}}", "counter").text != firstStart)
        // The container's own file system is kept across the restart: two starts recorded.
        #expect(try hoist("exec", "counter", "sh", "-c", "wc -l < /started").text.trimmingCharacters(in: .whitespaces) == "2\n")
        // A stopped container is just started.
        #expect(try hoist("stop", "-t", "1", "counter").status == 0)
        #expect(try hoist("restart", "counter").status == 0)
        #expect(try hoist("inspect", "--format", "{{.State.Running}}", "counter").text == "true\n")
        #expect(try hoist("restart", "no-such-container").status == 1)
    }

    @Test func portListsNothingForAContainerWithoutPublishedPorts() throws {
        #expect(try hoist("create", "--name", "quiet", "busybox", "true").status == 0)
        defer { _ = try? hoist("rm", "-f", "quiet") }
        let all = try hoist("port", "quiet")
        #expect(all.status == 0 && all.text.isEmpty, "\(all.text) \(all.errorText)")
        let one = try hoist("port", "quiet", "80")
        #expect(one.status == 1 && one.errorText.contains("no public port '80/tcp' published for quiet"), "\(one.errorText)")
        #expect(try hoist("port", "quiet", "http").status == 1)
    }

    @Test func historyListsTheBuildNewestFirst() throws {
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo one > /one\nENV A=1\nRUN echo two > /two\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        #expect(try hoist("build", "-q", "-t", "layered", context.path).status == 0)
        let history = try hoist("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "layered")
        let lines = history.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(history.text) \(history.errorText)")
        #expect(lines.first?.contains("echo two > /two") == true && lines[1].contains("ENV A=1") && lines[1].hasSuffix("|0B"), "\(lines)")
        let quiet = try hoist("history", "-q", "layered").text.split(separator: "\n")
        #expect(quiet.count == 4 && quiet.first?.count == 12 && quiet.dropFirst().allSatisfy { $0 == "<missing>" }, "\(quiet)")
        let table = try hoist("image", "history", "layered").text
        #expect(table.hasPrefix("IMAGE") && table.contains("CREATED BY"), "\(table)")
    }

    @Test func containerPruneRemovesOnlyStoppedOnes() throws {
        #expect(try hoist("create", "--name", "stopped", "busybox", "true").status == 0)
        #expect(try hoist("run", "-d", "--name", "running", "busybox", "sleep", "1000").status == 0)
        defer { _ = try? hoist("rm", "-f", "running", "stopped") }
        let id = try hoist("inspect", "--format", "{{.Id}}", "stopped").text
        let pruned = try hoist("container", "prune", "-f")
        #expect(pruned.status == 0 && pruned.text == "Deleted Containers:\n\(id)\nTotal reclaimed space: 0B\n", "\(pruned.text)")
        #expect(try hoist("ps", "-a", "--format", "{{.Names}}").text == "running\n")
    }

    @Test func managementFormsAreTheShortForms() throws {
        #expect(try hoist("image", "ls", "--format", "{{.Repository}}").text == (try hoist("images", "--format", "{{.Repository}}").text))
        #expect(try hoist("image", "list", "-q").text == (try hoist("images", "-q").text))
        #expect(try hoist("create", "--name", "listed", "busybox", "true").status == 0)
        defer { _ = try? hoist("container", "rm", "listed") }
        #expect(try hoist("container", "ls", "-a", "--format", "{{.Names}}").text == "listed\n")
        #expect(try hoist("container", "inspect", "--format", "{{.Name}}", "listed").text == "/listed\n")
        #expect(try hoist("image", "inspect", "--format", "{{.Os}}", "busybox").text == "linux\n")
        #expect(try hoist("image", "tag", "busybox", "again:1").status == 0)
        #expect(try hoist("image", "rm", "again:1").text.contains("Untagged: again:1"))
        let info = try hoist("info")
        #expect(info.status == 0 && info.text.contains("Backends:"), "\(info.errorText)")
    }

    /// `build -` (a Dockerfile, or a tar context, on stdin) and `build -f - DIR`, as Docker.
    @Test func buildReadsStandardInput() throws {
        let lone = try hoist("build", "-q", "-t", "lone", "-", input: Data("FROM busybox\nRUN echo piped > /piped\n".utf8))
        #expect(lone.status == 0, "\(lone.errorText)")
        #expect(try hoist("run", "--rm", "lone", "cat", "/piped").text == "piped\n")

        let context = directory.appending("stdin-context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("from the context\n".utf8).write(to: context.appendingPathComponent("data"))
        let file = try hoist("build", "-q", "-t", "dash-f", "-f", "-", context.path, input: Data("FROM busybox\nCOPY data /data\n".utf8))
        #expect(file.status == 0, "\(file.errorText)")
        #expect(try hoist("run", "--rm", "dash-f", "cat", "/data").text == "from the context\n")

        try Data("FROM busybox\nCOPY data /from-tar\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let archive = directory.appending("context.tar.gz")
        try ExternalCommand.checked(["tar", "-czf", archive.path, "-C", context.path, "."])
        let tarred = try hoist("build", "-q", "-t", "tarred", "-", input: try Data(contentsOf: archive))
        #expect(tarred.status == 0, "\(tarred.errorText)")
        #expect(try hoist("run", "--rm", "tarred", "cat", "/from-tar").text == "from the context\n")
        // An archive on stdin is unpacked as a layer is: an entry climbing out is refused.
        let escaped = "hoist-escaped-\(UUID().uuidString)"
        let hostile = directory.appending("hostile.tar")
        try ExternalCommand.checked(["python3", "-c", """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w") as t:
                for name, data in [("Dockerfile", b"FROM busybox\\n"), ("../../../../../../tmp/" + sys.argv[2], b"out")]:
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
            """, hostile.path, escaped])
        let refused = try hoist("build", "-q", "-", input: try Data(contentsOf: hostile))
        #expect(refused.status != 0, "\(refused.text)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + escaped))
        let both = try hoist("build", "-f", "-", "-", input: Data())
        #expect(both.status != 0 && both.errorText.contains("cannot both come from standard input"), "\(both.errorText)")
    }

    /// `push --all-tags`: every tag of the repository, to a docker-registry on 127.0.0.1.
    @Test(.enabled(if: Interop.available("docker-registry"))) func pushAllTags() async throws {
        let registry = try TestRegistry(in: directory.appending("registry"))
        try await registry.explainingFailures {
            for tag in ["1", "2"] { #expect(try hoist("tag", "busybox", "\(registry.host)/all/box:\(tag)").status == 0) }
            #expect(try hoist("tag", "busybox", "\(registry.host)/other/box:3").status == 0)
            let pushed = try hoist("push", "--progress", "quiet", "--all-tags", "\(registry.host)/all/box")
            #expect(pushed.status == 0, "\(pushed.errorText)")
            #expect(pushed.text.split(separator: "\n").map { $0.prefix { $0 != ":" } } == ["1", "2"], "\(pushed.text)")
            let tags = try ExternalCommand.checked(["skopeo", "list-tags", "--tls-verify=false", "docker://\(registry.host)/all/box"]).text
            #expect(tags.contains("\"1\"") && tags.contains("\"2\"") && !tags.contains("\"3\""), "\(tags)")
            #expect(try hoist("push", "--all-tags", "\(registry.host)/all/box:1").status == 125)
            #expect(try hoist("push", "--all-tags", "\(registry.host)/none/box").errorText.contains("no tags"))
        }
    }
}
