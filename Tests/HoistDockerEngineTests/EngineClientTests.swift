import Foundation
import Hoist
import HoistDockerEngine
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// The Engine API client against the real dockerd that CI starts (scripts/start-dockerd.sh).
@Suite("Docker Engine client", .serialized, .enabled(if: Interop.dockerAvailable))
struct EngineClientTests {
    let directory: TemporaryDirectory
    let image: String

    /// Loads a busybox image made by Hoist into the daemon.
    init() async throws {
        directory = try TemporaryDirectory()
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        image = "hoist-engine-test-\(UUID().uuidString.prefix(8).lowercased())"
        let client = try Client(root: StoreRoot(directory.appending("store")))
        try client.importImage(rootfs: rootfs, as: image, changes: ["CMD [\"sh\"]"])
        let archive = directory.appending("image.tar")
        try await client.save([image], to: archive)
        let engine = try await EngineClient.connect()
        try await engine.loadImages(from: archive)
    }

    private func withEngine(_ body: (EngineClient) async throws -> Void) async throws {
        let engine = try await EngineClient.connect()
        do {
            try await body(engine)
        } catch {
            try? await engine.removeImage(image, force: true)
            throw error
        }
        try await engine.removeImage(image, force: true)
    }

    @Test func versionAndImages() async throws {
        try await withEngine { engine in
            let version = try await engine.version()
            #expect(!version.version.isEmpty)
            #expect(EngineClientVersion.atMost(engine.apiVersion, EngineClient.maximumAPIVersion))
            #expect(try await engine.images().contains { $0.repoTags?.contains("\(image):latest") == true })
            #expect(try await engine.inspectImage(image).config?.cmd == ["sh"])
            let missing = await #expect(throws: EngineError.self) { try await engine.inspectImage("no-such-image-\(UUID().uuidString.lowercased())") }
            #expect(missing?.code == .notFound && missing?.message.contains("No such image") == true, "\(String(describing: missing))")
        }
    }

    @Test func runCollectsExitCodeAndStreamsInOrder() async throws {
        try await withEngine { engine in
            let id = try await engine.createContainer(EngineContainerConfig(
                image: image, cmd: ["sh", "-c", "echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; exit 3"], env: ["A=1"]))
            let run = try await engine.runToCompletion(id)
            #expect(run.exitCode == 3)
            #expect(String(decoding: run.standardOutput, as: UTF8.self) == "out1\nout2\n")
            #expect(String(decoding: run.standardError, as: UTF8.self) == "err1\n")
            #expect(String(decoding: run.combined, as: UTF8.self) == "out1\nerr1\nout2\n")
            try await engine.removeContainer(id)
        }
    }

    /// A `next-exit` wait is in place when `beginWait` returns: a container started after it
    /// and ended before its answer is read still gives its exit code (a wait sent after the end
    /// would wait for a next exit that never comes).
    @Test(.timeLimit(.minutes(2))) func aWaitBegunBeforeTheStartHasTheQuickExit() async throws {
        try await withEngine { engine in
            let id = try await engine.createContainer(EngineContainerConfig(image: image, cmd: ["sh", "-c", "exit 7"]))
            let wait = try await engine.beginWait(id, condition: "next-exit")
            try await engine.startContainer(id)
            while try await engine.inspectContainer(id).state.status != "exited" { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await wait.exitCode() == 7)
            try await engine.removeContainer(id)
        }
    }

    @Test func execKillCopyAndCommit() async throws {
        try await withEngine { engine in
            let id = try await engine.createContainer(EngineContainerConfig(image: image, cmd: ["sleep", "1000"]))
            try await engine.startContainer(id)
            #expect(try await engine.containerState(id).running)

            let exec = try await engine.exec(id, ["sh", "-c", "echo $X; pwd; echo e >&2; exit 5"], environment: ["X=y"], workingDirectory: "/tmp")
            #expect(exec.exitCode == 5)
            #expect(String(decoding: exec.standardOutput, as: UTF8.self) == "y\n/tmp\n")

            // A tar made by the container itself goes back in elsewhere.
            _ = try await engine.exec(id, ["sh", "-c", "mkdir -p /data && echo payload > /data/file"])
            let tar = try await engine.archive(id, path: "/data")
            _ = try await engine.exec(id, ["mkdir", "/copy"])
            try await engine.extract(tar, into: "/copy", container: id)
            #expect(String(decoding: try await engine.exec(id, ["cat", "/copy/data/file"]).standardOutput, as: UTF8.self) == "payload\n")

            let committed = try await engine.commit(id, repository: image, tag: "committed", changes: ["CMD [\"cat\", \"/copy/data/file\"]"])
            #expect(committed.hasPrefix("sha256:"))

            try await engine.killContainer(id)
            #expect(try await engine.waitContainer(id) == 137)
            try await engine.removeContainer(id)

            let check = try await engine.createContainer(EngineContainerConfig(image: "\(image):committed"))
            #expect(String(decoding: try await engine.runToCompletion(check).standardOutput, as: UTF8.self) == "payload\n")
            try await engine.removeContainer(check, force: true)
            try await engine.removeImage("\(image):committed", force: true)
        }
    }

    @Test func daemonErrorsAreVerbatimAndAMissingDaemonIsOneClearLine() async throws {
        try await withEngine { engine in
            let conflict = await #expect(throws: EngineError.self) {
                try await engine.createContainer(EngineContainerConfig(image: "no-such-image-\(UUID().uuidString.lowercased())"))
            }
            #expect(conflict?.code == .notFound && conflict?.message.contains("No such image") == true)
        }
        let nowhere = DockerHost(endpoint: .unix(path: directory.appending("no.sock").path))
        let unreachable = await #expect(throws: EngineError.self) { try await EngineClient.connect(nowhere) }
        #expect(unreachable?.code == .unavailable)
        #expect(unreachable?.message.contains("no.sock") == true && unreachable?.message.contains("DOCKER_HOST") == true)
        // A socket file nobody listens on.
        let stale = directory.appending("stale.sock")
        try ExternalCommand.checked(["python3", "-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", stale.path])
        let refused = await #expect(throws: EngineError.self) { try await EngineClient.connect(DockerHost(endpoint: .unix(path: stale.path))) }
        #expect(refused?.code == .unavailable && refused?.message.contains("stale.sock") == true)
    }

    @Test func dockerHostIsReadAsTheDockerCLIReadsIt() throws {
        #expect(try DockerHost.fromEnvironment([:]).description == "unix:///var/run/docker.sock")
        #expect(try DockerHost.fromEnvironment(["DOCKER_HOST": "unix:///tmp/d.sock"]).description == "unix:///tmp/d.sock")
        let tcp = try DockerHost.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"])
        #expect(tcp.endpoint == .tcp(host: "127.0.0.1", port: 2376))
        #expect(tcp.tlsCertificates?.path == "/certs")
        #expect(try DockerHost.fromEnvironment(["DOCKER_HOST": "tcp://h:1"]).tlsCertificates == nil)
        #expect(throws: EngineError.self) { try DockerHost.fromEnvironment(["DOCKER_HOST": "ssh://me@host"]) }
    }
}

/// Version comparison as the client negotiates it.
enum EngineClientVersion {
    static func atMost(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: ".").compactMap { Int($0) }
        let right = b.split(separator: ".").compactMap { Int($0) }
        return left.lexicographicallyPrecedes(right) || left == right
    }
}
