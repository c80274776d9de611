import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Builds written by an attacker: a Dockerfile or a server it names trying to write on the host,
/// clone the host's repositories, run as root under a harmless-looking user, or leave secrets on
/// disk — and a second local user trying to read what Hoist keeps. Each test is the attack and
/// the check that it fails (issue 15).
@Suite("Adversarial builds", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct AdversarialBuildTests {
    let fixture: BusyboxFixture
    let context: URL

    init() throws {
        fixture = try BusyboxFixture()
        context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
    }

    private func build(_ dockerfile: String, tag: String = "built", secrets: [String: String] = [:]) async throws -> ImageSummary {
        try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        var options = BuildOptions(context: context, tags: [tag])
        options.secrets = secrets
        return try await fixture.client.build(options)
    }

    private func output(_ image: String, _ command: [String]) async throws -> String {
        try await fixture.client.image(image).instantiate(.command(command)).run().checked().standardOutput
    }

    /// A web server that answers every GET with `payload`, whatever the path.
    private func anyPathServer() throws -> ServerProcess {
        let port = try FreePort.next()
        let program = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = b"payload\\n"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
            """
        return try ServerProcess(
            name: "any-path server", arguments: ["python3", "-c", program, "\(port)"], port: port,
            logFile: fixture.directory.appending("any-path.log"))
    }

    @Test(.enabled(if: Interop.available("python3")))
    func addURLCannotNameAFileOutsideTheImage() async throws {
        let server = try anyPathServer()
        defer { server.stop() }
        let victim = "hoist-victim-\(UUID().uuidString).txt"
        let climb = String(repeating: "..%2f", count: 12)
        _ = try await build("""
            FROM busybox
            ADD http://127.0.0.1:\(server.port)/\(climb)tmp%2f\(victim) /dl/
            ADD http://127.0.0.1:\(server.port)/%2e%2e /dl/
            """)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/" + victim), "ADD wrote /tmp/\(victim) on the host")
        let listing = try await output("built", ["sh", "-c", "ls /dl; cat /dl/\(victim)"])
        #expect(listing == "download\n\(victim)\npayload\n", "the downloads are named by their last element: \(listing)")
    }

    @Test(.enabled(if: Interop.available("git")))
    func addOfAFileURLNeverClonesTheHostsRepository() async throws {
        let repository = fixture.directory.appending("host/repo.git")
        let work = fixture.directory.appending("host-work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Data("host secret\n".utf8).write(to: work.appendingPathComponent("secret.txt"))
        for command in [["git", "init", "-q"], ["git", "add", "."], ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]] {
            try ExternalCommand.checked(command, directory: work)
        }
        try ExternalCommand.checked(["git", "clone", "-q", "--bare", work.path, repository.path])
        // BuildKit reads file:// as a path in the build context, where nothing is.
        let error = await #expect(throws: BuildError.self) {
            _ = try await build("FROM busybox\nADD file://\(repository.path) /stolen\n")
        }
        #expect(error?.code == .notFound, "\(String(describing: error))")
    }

    @Test(arguments: ["4294967295", "4294967294", "2147483648", "0:4294967295", "nobody:4294967295"])
    func userIDsOutsideDockersRangeNeverRun(user: String) async throws {
        let error = await #expect(throws: (any Error).self) {
            _ = try await build("FROM busybox\nUSER \(user)\nRUN id -u > /uid\n")
        }
        #expect("\(String(describing: error))".contains("0-2147483647"), "\(String(describing: error))")
        let running = await #expect(throws: (any Error).self) {
            _ = try await fixture.client.image("busybox").instantiate(.command(["id", "-u"]), .user(user)).run()
        }
        #expect("\(String(describing: running))".contains("0-2147483647"))
        let owned = await #expect(throws: (any Error).self) {
            try Data("x".utf8).write(to: context.appendingPathComponent("f"))
            _ = try await build("FROM busybox\nCOPY --chown=\(user) f /f\n")
        }
        #expect("\(String(describing: owned))".contains("0-2147483647"))
    }

    @Test func anImageWhoseConfigSaysUser4294967295NeverRuns() async throws {
        let rootfs = fixture.rootfs
        try fixture.client.importImage(rootfs: rootfs, as: "sneaky:1", changes: ["USER 4294967295", "CMD [\"id\", \"-u\"]"])
        let error = await #expect(throws: (any Error).self) { _ = try await fixture.client.image("sneaky:1").instantiate().run() }
        #expect("\(String(describing: error))".contains("0-2147483647"))
    }

    @Test(.enabled(if: Interop.available("setpriv")))
    func anotherLocalUserReadsNothingOfTheStore() async throws {
        _ = try await build("FROM busybox\nRUN cp /bin/busybox /suid && chmod 4755 /suid && echo inside > /file\n")
        let root = fixture.client.store.root.url.path
        var status = stat()
        #expect(stat(root, &status) == 0 && status.st_mode & 0o777 == 0o700, "store root mode \(String(status.st_mode & 0o777, radix: 8))")
        // Every file of the store, as user nobody: not one may be read, listed or run.
        let files = try FileManager.default.subpathsOfDirectory(atPath: root).prefix(400)
        var readable: [String] = []
        for relative in files {
            let path = root + "/" + relative
            let probe = try ExternalCommand.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "cat \"$1\" >/dev/null 2>&1 || ls \"$1\" >/dev/null 2>&1", "probe", path])
            if probe.status == 0 { readable.append(relative) }
        }
        #expect(readable.isEmpty, "user nobody read \(readable.count) paths of the store, e.g. \(readable.prefix(5))")
        let bundles = try fixture.client.store.root.bundles().deletingLastPathComponent().deletingLastPathComponent().path
        #expect(stat(bundles, &status) == 0 && status.st_mode & 0o077 == 0, "\(bundles) is open to others")
    }

    @Test func anExistingStoreOpenToOthersIsMadePrivateOnOpen() throws {
        let root = fixture.directory.appending("old-store")
        _ = try Client(root: StoreRoot(root))
        chmod(root.path, 0o755)
        chmod(root.appendingPathComponent("blobs").path, 0o777)
        _ = try Client(root: StoreRoot(root))
        var status = stat()
        #expect(stat(root.path, &status) == 0 && status.st_mode & 0o777 == 0o700)
        #expect(stat(root.appendingPathComponent("blobs").path, &status) == 0 && status.st_mode & 0o777 == 0o700)
    }

    @Test func aSecretVariableNeverReachesTheDiskEvenWhenTheBuildIsKilled() async throws {
        let secret = "s3cr3t-\(UUID().uuidString)"
        let secretFile = fixture.directory.appending("token")
        try Data(secret.utf8).write(to: secretFile)
        try Data("FROM busybox\nRUN --mount=type=secret,id=tok,env=TOKEN sleep 3\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let store = fixture.client.store.root.url
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Interop.hoistExecutable)
        process.arguments = ["build", "--progress", "plain", "--secret", "id=tok,src=\(secretFile.path)", "-t", "killed", context.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOIST_ROOT": store.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Until the step runs: its bundle holds the variable (in memory, in the build process's
        // work directory there), and only root reads it.
        let memory = try #require(fixture.client.store.root.memoryWorkDirectories)
        let bundles = memory.appendingPathComponent("\(process.processIdentifier)-", isDirectory: false).path
        var config: String?
        for _ in 0..<200 where config == nil {
            usleep(50_000)
            let work = ((try? FileManager.default.contentsOfDirectory(atPath: memory.path)) ?? [])
                .map { memory.path + "/" + $0 }.filter { $0.hasPrefix(bundles) }
            config = work.flatMap { directory in
                ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/bundles")) ?? [])
                    .map { directory + "/bundles/" + $0 + "/config.json" }
            }.first { FileManager.default.fileExists(atPath: $0) }
        }
        let running = try #require(config, "the RUN step never started")
        if Interop.available("setpriv") {
            let probe = try ExternalCommand.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", running])
            #expect(probe.status != 0, "user nobody read the step's config.json")
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        sleep(4)  // the step's own container ends by itself
        let found = try ExternalCommand.run(["grep", "-rlF", secret, store.path])
        #expect(found.text.isEmpty, "the secret is on disk: \(found.text)")
        // The next command clears the killed build's work, in memory too.
        _ = try Interop.hoist(["images"], root: store)
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: memory.path)) ?? []).filter { (memory.path + "/" + $0).hasPrefix(bundles) }
        #expect(left.isEmpty, "the killed build's bundles stayed in memory: \(left)")
    }
}
