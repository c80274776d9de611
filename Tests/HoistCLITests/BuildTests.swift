import Foundation
import Hoist
import HoistBuild
import HoistDockerfile
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// `hoist build` end to end through the façade: real snapshots, real runc, real files.
@Suite("Dockerfile builds", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildTests {
    let fixture: BusyboxFixture
    let context: URL

    init() throws {
        fixture = try BusyboxFixture()
        context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context.appendingPathComponent("src"), withIntermediateDirectories: true)
    }

    private func write(_ path: String, _ text: String) throws {
        let url = context.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    private func build(_ dockerfile: String, tag: String = "built", arguments: [String: String] = [:],
                       target: String? = nil, events: EventRecorder? = nil) async throws -> ImageSummary {
        try write("Dockerfile", dockerfile)
        return try await fixture.client.build(BuildOptions(
            context: context, tags: [tag], buildArguments: arguments, target: target,
            progress: events?.reporter ?? .discard))
    }

    private func run(_ image: String, _ command: [String]? = nil) async throws -> (status: Int32, output: String) {
        let output = Collected()
        let status = try await fixture.client.native.run(
            image, RunOptions(command: command), standardOutput: { output.append($0) }, standardError: { output.append($0) })
        return (status, output.text)
    }

    @Test func multiStageBuildMakesARunnableImageWithTheRightConfig() async throws {
        try write("src/note.txt", "from the context\n")
        let image = try await build("""
            FROM busybox AS build
            ARG WHO=world
            WORKDIR /work
            COPY src/ ./
            RUN echo "hello $WHO" > out.txt && cat note.txt >> out.txt

            FROM busybox
            LABEL team=hoist
            ENV APP=/app MODE=test
            COPY --from=build /work/out.txt $APP/
            EXPOSE 8080
            WORKDIR $APP
            USER nobody
            ENTRYPOINT ["cat"]
            CMD ["out.txt"]
            """, arguments: ["WHO": "hoist"])
        let result = try await run("built")
        #expect(result.status == 0)
        #expect(result.output == "hello hoist\nfrom the context\n")

        let details = try fixture.client.inspect("built")
        #expect(details.id == image.id)
        let config = try #require(details.config)
        #expect(config.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP=/app", "MODE=test"])
        #expect(config.entrypoint == ["cat"])
        #expect(config.cmd == ["out.txt"])
        #expect(config.user == "nobody")
        #expect(config.workingDir == "/app")
        #expect(config.labels == ["team": "hoist"])
        #expect(config.exposedPorts == ["8080/tcp"])
        // Base layer, COPY --from, and WORKDIR's: empty, since /app exists after the COPY, but
        // there, as BuildKit makes one for every file step.
        #expect(details.layers.count == 3)
        let history = try #require(details.history)
        #expect(history.filter { $0.emptyLayer != true }.count == details.layers.count)
        #expect(history.last?.createdBy == "CMD [\"out.txt\"]")
    }

    @Test func unchangedRebuildRunsNoStepAndGivesTheSameImage() async throws {
        try write("src/a.txt", "a\n")
        let dockerfile = "FROM busybox\nCOPY src/a.txt /a.txt\nRUN cat /a.txt > /copy.txt\n"
        let first = try await build(dockerfile)
        let events = EventRecorder()
        let second = try await build(dockerfile, events: events)
        #expect(second.id == first.id)
        #expect(events.started.filter { !$0.contains("FROM") && !$0.contains("[internal]") }.isEmpty,
                "steps that ran again: \(events.started)")
    }

    @Test func changingOneFileRerunsExactlyTheStepsThatReadIt() async throws {
        try write("src/a.txt", "a\n")
        try write("src/b.txt", "b\n")
        let dockerfile = """
            FROM busybox
            COPY src/a.txt /a.txt
            RUN cat /a.txt > /from-a
            COPY src/b.txt /b.txt
            RUN cat /b.txt > /from-b
            """
        _ = try await build(dockerfile)
        try write("src/b.txt", "b changed\n")
        try write("src/unrelated.txt", "not read by any step\n")
        let events = EventRecorder()
        _ = try await build(dockerfile, events: events)
        let ran = events.started.filter { !$0.contains("FROM") && !$0.contains("[internal]") }
        #expect(ran.count == 2, "ran: \(ran)")
        #expect(ran.allSatisfy { $0.contains("b.txt") || $0.contains("from-b") }, "ran: \(ran)")
        #expect(try await run("built", ["cat", "/from-b"]).output == "b changed\n")
    }

    @Test func aFailingRunNamesTheStepItsExitCodeAndItsLastOutput() async throws {
        let error = await #expect(throws: BuildError.self) {
            try await build("FROM busybox\nRUN echo first line && echo boom >&2 && exit 3\n")
        }
        #expect(error?.exitCode == 3)
        #expect(error?.step?.contains("RUN echo first line") == true)
        #expect(error?.lastOutput.contains("boom") == true, "last output: \(error?.lastOutput ?? [])")
        #expect(try await fixture.client.images().count == 1, "nothing named after a failed build")
    }

    @Test func runStepsKeepToTheBuildsLimits() async throws {
        // sort keeps its whole input, a single 200 MB line, in memory: past --memory, the step dies.
        try write("Dockerfile", "FROM busybox\nRUN head -c 200000000 /dev/zero | tr '\\\\0' a | sort > /dev/null\n")
        let store = fixture.directory.appending("store")
        let limited = try Interop.hoist(["build", "-q", "--memory", "32m", "-t", "hungry", context.path], root: store)
        #expect(limited.status != 0)
        #expect(limited.errorText.contains("exit code: 137"), "\(limited.errorText)")

        var options = BuildOptions(context: context, tags: ["capabilities"])
        options.stepLimits = StepLimits(capabilitiesDropped: ["CHOWN"])
        try write("Dockerfile", "FROM busybox\nRUN touch /owned && ! chown 1:1 /owned\n")
        options.noCache = true
        try await fixture.client.build(options)
    }

    @Test(.enabled(if: Interop.available("ssh-agent")))
    func sshAgentsAndSecretVariablesReachTheirStepAndNoLayer() async throws {
        // A real agent, in the foreground, on a socket of this test's own.
        let socket = fixture.directory.appending("agent.sock")
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket.path]
        agent.standardOutput = FileHandle.nullDevice
        try agent.run()
        // SIGKILL: the agent inherits the test runner's blocked signals, SIGTERM among them.
        defer { kill(agent.processIdentifier, SIGKILL); agent.waitUntilExit() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket.path) { try await Task.sleep(for: .milliseconds(50)) }
        try write("token.txt", "s3cret-value")

        try write("Dockerfile", """
            FROM busybox
            RUN --mount=type=ssh --mount=type=ssh,id=other,target=/agent \\
                --mount=type=secret,id=token,env=TOKEN \\
                test -S "$SSH_AUTH_SOCK" && test -S /agent && echo "$SSH_AUTH_SOCK ${#TOKEN}" > /seen
            """)
        var options = BuildOptions(context: context, tags: ["agent"], secrets: ["token": context.appendingPathComponent("token.txt").path])
        options.sshAgents = ["default": socket.path, "other": socket.path]
        try await fixture.client.build(options)
        #expect(try await run("agent", ["cat", "/seen"]).output == "/run/buildkit/ssh_agent.0 12\n")
        let leftovers = try await run("agent", ["sh", "-c", "ls -a /run/buildkit /agent 2>&1; env | grep -c s3cret"])
        #expect(!leftovers.output.contains("ssh_agent.0"), "no socket stub in the image: \(leftovers.output)")
        #expect(leftovers.output.hasSuffix("0\n"), "the secret is in no environment: \(leftovers.output)")
        #expect(try fixture.client.inspect("agent").config?.env?.contains { $0.contains("s3cret") } == false)

        // A required agent the build lacks, and a socket that is not one, are refused clearly.
        try write("Dockerfile", "FROM busybox\nRUN --mount=type=ssh,required=true true\n")
        let missing = await #expect(throws: BuildError.self) { try await fixture.client.build(BuildOptions(context: context)) }
        #expect(missing?.message.contains("--ssh default=SOCKET") == true, "\(String(describing: missing))")
        var keyFile = BuildOptions(context: context)
        keyFile.sshAgents = ["default": context.appendingPathComponent("token.txt").path]
        let notSocket = await #expect(throws: ClientError.self) { try await fixture.client.build(keyFile) }
        #expect(notSocket?.message.contains("ssh-add") == true)
    }

    @Test func badInputIsAClearError() async throws {
        let missing = await #expect(throws: BuildError.self) { try await build("FROM busybox\nCOPY nothere.txt /x\n") }
        #expect(missing?.code == .notFound)
        #expect(missing?.description.contains("nothere.txt") == true)

        let syntax = await #expect(throws: DockerfileError.self) { try await build("FROM busybox\nFROBNICATE now\n") }
        #expect(syntax?.line == 2)

        let stage = await #expect(throws: (any Error).self) { try await build("FROM busybox\nCOPY --from=nosuchstage /x /y\n") }
        #expect("\(stage!)".contains("nosuchstage"))

        try write("Dockerfile", "FROM notloaded:1\nRUN true\n")
        var never = BuildOptions(context: context, tags: ["x"])
        never.pullPolicy = .never
        let noBase = await #expect(throws: ClientError.self) { try await fixture.client.build(never) }
        #expect(noBase?.code == .notFound)
        // With the default policy the pull is tried; this machine has no Docker Hub, and says so at once.
        let unreachable = await #expect(throws: (any Error).self) { try await build("FROM notloaded:1\nRUN true\n") }
        #expect("\(unreachable!)".contains("registry-1.docker.io"), "\(unreachable!)")
    }

    /// Docker 20.10's builder predates heredocs, so they are checked here rather than against it.
    @Test func heredocsRunScriptsAndWriteFiles() async throws {
        _ = try await build("""
            FROM busybox
            ARG NAME=heredoc
            RUN <<EOF
            echo "first line" > /script-out
            echo "second from $NAME" >> /script-out
            EOF
            COPY <<EOT /etc/greeting.conf
            name = ${NAME}
            EOT
            COPY <<'RAW' /raw.txt
            kept $NAME literal
            RAW
            COPY <<EOF /new/parent/dirs/file
            made with its parents
            EOF
            """)
        #expect(try await run("built", ["sh", "-c", "cat /new/parent/dirs/file; stat -c %a /new/parent"]).output == "made with its parents\n755\n")
        #expect(try await run("built", ["cat", "/script-out"]).output == "first line\nsecond from heredoc\n")
        #expect(try await run("built", ["cat", "/etc/greeting.conf"]).output == "name = heredoc\n")
        #expect(try await run("built", ["cat", "/raw.txt"]).output == "kept $NAME literal\n")
    }

    @Test func outputsWriteTheResultAsFilesTarAndArchives() async throws {
        try write("Dockerfile", "FROM busybox\nRUN echo made > /made.txt\n")
        let out = fixture.directory.appending("out")
        var options = BuildOptions(context: context, tags: ["outputs"])
        options.outputs = [
            .local(directory: out.appendingPathComponent("dir").path), .tar(path: out.appendingPathComponent("fs.tar").path),
            .oci(path: out.appendingPathComponent("oci.tar").path), .docker(path: out.appendingPathComponent("docker.tar").path),
        ]
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        _ = try await fixture.client.build(options)
        #expect(try String(contentsOf: out.appendingPathComponent("dir/made.txt"), encoding: .utf8) == "made\n")
        let listing = try ExternalCommand.checked(["tar", "-tf", out.appendingPathComponent("fs.tar").path]).text
        #expect(listing.contains("made.txt") && listing.contains("bin/busybox"))
        let other = try fixture.freshClient("other")
        #expect(try await other.load(archive: out.appendingPathComponent("oci.tar")).count == 1)
        #expect(try await other.load(archive: out.appendingPathComponent("docker.tar")).first?.reference?.familiarString == "outputs:latest")
        #expect(throws: ClientError.self) { try BuildOutput(parsing: "type=zip,dest=x") }
        #expect(try BuildOutput(parsing: "somedir") == .local(directory: "somedir"))
    }

    @Test func sourceDateEpochMakesUncachedRebuildsIdentical() async throws {
        try write("Dockerfile", "FROM busybox\nRUN echo reproducible > /r && touch /now\nCOPY Dockerfile /df\n")
        var options = BuildOptions(context: context, tags: ["repro"], noCache: true)
        options.sourceDateEpoch = 1_700_000_000
        let first = try await fixture.client.build(options)
        let second = try await fixture.client.build(options)
        #expect(first.digest == second.digest)
        #expect(try fixture.client.inspect("repro").created == "2023-11-14T22:13:20.000Z")
        options.sourceDateEpoch = nil
        #expect(try await fixture.client.build(options).digest != first.digest)
    }

    @Test func targetBuildContextsAndNoCacheFilter() async throws {
        let extra = fixture.directory.appending("extra")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        try Data("from a named context\n".utf8).write(to: extra.appendingPathComponent("named.txt"))
        try write("Dockerfile", """
            FROM busybox AS first
            COPY --from=extra named.txt /named.txt
            RUN echo first > /stage
            FROM busybox AS second
            RUN echo second > /stage
            """)
        var options = BuildOptions(context: context, tags: ["targeted"], target: "first")
        options.buildContexts = ["extra": extra.path]
        _ = try await fixture.client.build(options)
        #expect(try await run("targeted", ["cat", "/stage", "/named.txt"]).output == "first\nfrom a named context\n")

        let events = EventRecorder()
        options.progress = events.reporter
        options.noCacheStages = ["first"]
        _ = try await fixture.client.build(options)
        #expect(events.started.contains { $0.contains("RUN echo first") }, "the filtered stage ran again: \(events.started)")
        #expect(!events.started.contains { $0.contains("second") }, "the unused stage never runs: \(events.started)")
    }

    @Test func cacheMountsPersistAndLockedOnesAreNeverUsedAtOnce() async throws {
        let step = "RUN --mount=type=cache,target=/cache,sharing=locked "
            + "sh -c 'test ! -e /cache/busy || exit 9; touch /cache/busy; sleep 0.3; echo $MARK >> /cache/log; rm /cache/busy'"
        for (index, tag) in ["left", "right"].enumerated() {
            let directory = context.appendingPathComponent(tag)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("FROM busybox\nENV MARK=\(tag)\(index)\n\(step)\n".utf8).write(to: directory.appendingPathComponent("Dockerfile"))
        }
        let other = try Client(root: fixture.client.store.root)
        async let left = fixture.client.build(BuildOptions(context: context.appendingPathComponent("left"), tags: ["left"]))
        async let right = other.build(BuildOptions(context: context.appendingPathComponent("right"), tags: ["right"]))
        _ = try await (left, right)
        try write("reader/Dockerfile", "FROM busybox\nRUN --mount=type=cache,target=/cache,sharing=locked cat /cache/log > /seen\n")
        _ = try await fixture.client.build(BuildOptions(context: context.appendingPathComponent("reader"), tags: ["reader"]))
        let seen = try await run("reader", ["cat", "/seen"]).output
        #expect(seen.contains("left0") && seen.contains("right1"), "the cache kept both steps' writes: \(seen)")
    }

    @Test func addDownloadsURLsChecksThemAndKeepsThemPacked() async throws {
        let served = fixture.directory.appending("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let payload = Data("downloaded over http\n".utf8)
        try payload.write(to: served.appendingPathComponent("payload.txt"))
        try ExternalCommand.checked(["tar", "-czf", served.appendingPathComponent("packed.tar.gz").path, "-C", served.path, "payload.txt"])
        let port = try FreePort.next()
        let server = try ServerProcess(
            name: "http.server", arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", served.path, "\(port)"],
            port: port, logFile: fixture.directory.appending("http.log"))
        defer { server.stop() }
        let base = "http://127.0.0.1:\(port)"
        _ = try await build("""
            FROM busybox
            ADD \(base)/payload.txt /downloads/
            ADD --checksum=\(Digest(of: payload)) --chmod=644 \(base)/payload.txt /checked.txt
            ADD \(base)/packed.tar.gz /downloads/
            """)
        let listing = try await run("built", ["sh", "-c", "stat -c '%a %n' /downloads/* /checked.txt && cat /checked.txt"]).output
        #expect(listing == "600 /downloads/packed.tar.gz\n600 /downloads/payload.txt\n644 /checked.txt\ndownloaded over http\n", "\(listing)")

        let wrong = await #expect(throws: BuildError.self) {
            try await build("FROM busybox\nADD --checksum=\(Digest(of: Data("other".utf8))) \(base)/payload.txt /x\n")
        }
        #expect(wrong?.code == .dataLoss)
    }

    @Test(.enabled(if: Interop.available("git") && Interop.available("python3")))
    func addClonesGitRepositoriesAtARef() async throws {
        // A repository served over git's "dumb" HTTP protocol by a plain file server.
        let work = fixture.directory.appending("repo-work")
        let served = fixture.directory.appending("served")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try Data("first\n".utf8).write(to: work.appendingPathComponent("docs/file.txt"))
        let git = { (arguments: [String]) throws in
            try ExternalCommand.checked(["git", "-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments, directory: work)
        }
        try git(["init", "-q", "-b", "main"])
        try git(["add", "."])
        try git(["commit", "-q", "-m", "one"])
        try git(["tag", "v1"])
        try Data("second\n".utf8).write(to: work.appendingPathComponent("docs/file.txt"))
        try git(["commit", "-q", "-am", "two"])
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try ExternalCommand.checked(["git", "clone", "-q", "--bare", work.path, served.appendingPathComponent("repo.git").path])
        try ExternalCommand.checked(["git", "update-server-info"], directory: served.appendingPathComponent("repo.git"))
        let port = try FreePort.next()
        let server = try ServerProcess(
            name: "http.server", arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", served.path, "\(port)"],
            port: port, logFile: fixture.directory.appending("http.log"))
        defer { server.stop() }
        let url = "http://127.0.0.1:\(port)/repo.git"
        _ = try await build("""
            FROM busybox
            ADD \(url) /head
            ADD \(url)#v1:docs /tagged
            """)
        let output = try await run("built", ["sh", "-c", "cat /head/docs/file.txt /tagged/file.txt; ls -a /head"]).output
        #expect(output == "second\nfirst\n.\n..\ndocs\n", "\(output)")
    }

    @Test func twoBuildsAtOnceOnOneStoreBothSucceed() async throws {
        try write("src/a.txt", "a\n")
        try write("Dockerfile", "FROM busybox\nCOPY src/a.txt /a\nRUN sleep 0.2 && cat /a > /b\n")
        let other = try Client(root: fixture.client.store.root)
        async let first = fixture.client.build(BuildOptions(context: context, tags: ["one"]))
        async let second = other.build(BuildOptions(context: context, tags: ["two"]))
        _ = try await (first, second)
        #expect(try await run("one", ["cat", "/b"]).output == "a\n")
        #expect(try await run("two", ["cat", "/b"]).output == "a\n")
    }
}

/// Names of the vertices a build started.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []

    var reporter: ProgressReporter {
        ProgressReporter { event in
            if case .started(_, let name, _) = event {
                self.lock.lock()
                self.names.append(name)
                self.lock.unlock()
            }
        }
    }

    var started: [String] {
        lock.lock()
        defer { lock.unlock() }
        return names
    }
}

/// Bytes from a container's output handlers, in order.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
