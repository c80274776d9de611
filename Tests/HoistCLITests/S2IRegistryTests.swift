import Foundation
import Hoist
import HoistRegistry
import HoistS2I
import HoistTestSupport
import Testing

/// How S2I builds get their images from registries: the pull policies of the builder, the
/// runtime and the previous image with S2I's spelling, credentials from `--dockercfg-path`
/// (Docker's config and the legacy `.dockercfg`), S2I's retries and its API timeout — each
/// against a real docker-registry (or a server that never answers) on 127.0.0.1.
@Suite("S2I and registries", .serialized,
       .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("docker-registry")))
struct S2IRegistryTests {
    let fixture: S2IFixture
    var client: Client { fixture.client }

    init() async throws {
        fixture = try await S2IFixture()
    }

    /// A registry with the sti-fake-scripts builder pushed to it as `REGISTRY/builder:1`, then
    /// removed from the store.
    private func registryWithBuilder(_ authentication: TestRegistry.Authentication = .none,
                                     configuration: RegistryConfiguration = RegistryConfiguration()) async throws -> (TestRegistry, String) {
        let registry = try TestRegistry(in: fixture.directory.appending("registry-\(UUID().uuidString)"), authentication: authentication)
        let builder = "\(registry.host)/builder:1"
        try client.tag(try await fixture.builder("sti-fake-scripts"), as: builder)
        _ = try await client.push(builder, configuration: configuration)
        _ = try await client.removeImage(builder)
        return (registry, builder)
    }

    @Test func pullPoliciesDecideWhenEachImageIsPulled() async throws {
        let (registry, builder) = try await registryWithBuilder()
        defer { registry.server.stop() }
        var request = fixture.request(builder, tag: "app:1")
        var events = EventLog()
        // if-not-present (S2I's default): pulled once, then taken as it is.
        try await client.s2iBuild(request, progress: events.progress)
        #expect(events.pulls == [builder])
        events = EventLog()
        try await client.s2iBuild(request, progress: events.progress)
        #expect(events.pulls.isEmpty)
        request.builderPullPolicy = .always
        events = EventLog()
        try await client.s2iBuild(request, progress: events.progress)
        #expect(events.pulls == [builder])
        // never: the image must be there.
        _ = try await client.removeImage(builder)
        request.builderPullPolicy = .never
        let missing = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect(missing?.code == .notFound)
        // The runtime image has a policy of its own (the builder is there now).
        let runtimeImage = "\(registry.host)/runtime:1"
        try client.tag(try await fixture.builder("sti-fake-scripts"), as: runtimeImage)
        request.builderPullPolicy = .ifNotPresent
        request.runtimeImage = runtimeImage
        request.runtimePullPolicy = .never
        request.runtimeArtifacts = [S2IPathMapping(source: "/sti-fake/src", destination: "")]
        try await client.s2iBuild(request)
        _ = try await client.removeImage(runtimeImage)
        let runtime = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect(runtime?.message.contains("--pull-policy never") == true || runtime?.message.contains("--runtime-pull-policy never") == true,
                "\(String(describing: runtime))")
        // The previous image: --incremental-pull-policy always pulls it even when it is at hand.
        request = fixture.request(builder, tag: "\(registry.host)/app:1")
        try await client.s2iBuild(request)
        _ = try await client.push("\(registry.host)/app:1")
        request.incremental = true
        request.incrementalPullPolicy = .always
        events = EventLog()
        #expect(try await client.s2iBuild(request, progress: events.progress).incremental)
        #expect(events.pulls == ["\(registry.host)/app:1"])
    }

    @Test func credentialsComeFromTheDockercfgPathInEitherLayout() async throws {
        let users = ["s2i-user": "s2i-password"]
        let login = fixture.directory.appending("docker-config")
        try FileManager.default.createDirectory(at: login, withIntermediateDirectories: true)
        let auth = Data("s2i-user:s2i-password".utf8).base64EncodedString()
        // The push needs the credential too: Docker's layout, in a file of the test's.
        let modern = login.appendingPathComponent("config.json")
        let registry = try TestRegistry(in: fixture.directory.appending("auth-registry"), authentication: .htpasswd(users))
        try Data("{\"auths\":{\"\(registry.host)\":{\"auth\":\"\(auth)\"}}}".utf8).write(to: modern)
        let builder = "\(registry.host)/builder:1"
        try client.tag(try await fixture.builder("sti-fake-scripts"), as: builder)
        _ = try await client.push(builder, configuration: RegistryConfiguration(credentials: CredentialStore(configFile: DockerConfigFile(file: modern))))
        _ = try await client.removeImage(builder)
        defer { registry.server.stop() }
        // Without credentials the registry refuses.
        var request = fixture.request(builder, tag: "private")
        request.dockerConfigFile = fixture.directory.appending("nowhere.json")
        let refused = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect(refused?.code == .failedPrecondition, "\(String(describing: refused))")
        // The legacy .dockercfg: registries at the top level, no "auths".
        let legacy = fixture.directory.appending("dot-dockercfg")
        try Data("{\"https://\(registry.host)\":{\"auth\":\"\(auth)\",\"email\":\"dev@example.com\"}}".utf8).write(to: legacy)
        let cli = try Interop.hoist(["s2i", "build", "--progress", "plain", "--dockercfg-path", legacy.path, fixture.application.path, builder, "private"],
                                    root: fixture.store)
        #expect(cli.status == 0, "\(cli.errorText)")
        // And Docker's config.json layout.
        _ = try await client.removeImage(builder)
        request.dockerConfigFile = modern
        try await client.s2iBuild(request)
    }

    @Test(.enabled(if: Interop.available("openssl")))
    func registrySettingsReachS2IsPulls() async throws {
        // A registry over TLS with a test CA; loopback not exempted, so the settings decide.
        let certificateDirectory = fixture.directory.appending("certs")
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)
        let certificates = try TestCertificates(in: certificateDirectory)
        let registry = try TestRegistry(in: fixture.directory.appending("tls-registry"),
                                        tls: (certificates.serverCertificate, certificates.serverKey))
        defer { registry.server.stop() }
        let builder = "\(registry.host)/builder:1"
        try client.tag(try await fixture.builder("sti-fake-scripts"), as: builder)
        _ = try await client.push(builder)
        _ = try await client.removeImage(builder)
        let certsDirectory = fixture.directory.appending("certs.d")
        try FileManager.default.createDirectory(at: certsDirectory, withIntermediateDirectories: true)
        var request = fixture.request(builder, tag: "over-tls")
        request.registry = RegistryConfiguration(loopbackIsInsecure: false, certificatesDirectory: certsDirectory)
        // Without the CA the pull is refused, once (an unknown CA is no transient failure).
        let events = EventLog()
        let refused = await #expect(throws: S2IError.self) { try await client.s2iBuild(request, progress: events.progress) }
        #expect("\(String(describing: refused))".contains("TLS") && events.pulls.count == 1, "\(String(describing: refused)) \(events.pulls)")
        // --insecure-registry: unverified TLS.
        request.registry.insecureRegistries = [registry.host]
        try await client.s2iBuild(request)
        _ = try await client.removeImage(builder)
        // --certs-dir with the CA where Docker reads it.
        request.registry.insecureRegistries = []
        let hostDirectory = certsDirectory.appendingPathComponent(registry.host, isDirectory: true)
        try FileManager.default.createDirectory(at: hostDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: certificates.caCertificate, to: hostDirectory.appendingPathComponent("ca.crt"))
        try await client.s2iBuild(request)
        #expect(try await fixture.runAndList("over-tls").contains("assemble-invoked"))
    }

    @Test func refusedPullsAreRetriedAsS2IRetriesThem() async throws {
        let (registry, builder) = try await registryWithBuilder()
        registry.server.stop()
        // The registry comes back 7 s later: S2I's 5 s pauses wait for it.
        let restart = Task {
            try await Task.sleep(for: .seconds(7))
            try registry.server.start()
        }
        defer { registry.server.stop() }
        let events = EventLog()
        let clock = ContinuousClock()
        let start = clock.now
        try await client.s2iBuild(fixture.request(builder, tag: "retried"), progress: events.progress)
        try await restart.value
        #expect(events.pulls.count >= 2 && events.pulls.count <= 4, "\(events.pulls)")
        #expect(events.failures.allSatisfy { $0 == .seconds(5) }, "\(events.failures)")
        #expect(clock.now - start >= .seconds(7))
        // A registry's answer is final: an image it does not have is not asked for again.
        let once = EventLog()
        let missing = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(fixture.request("\(registry.host)/nothing:1", tag: "x"), progress: once.progress)
        }
        #expect(missing?.code == .notFound && once.pulls.count == 1, "\(once.pulls) \(String(describing: missing))")
        // --retries sets the number of tries.
        registry.server.stop()
        let cli = try Interop.hoist(["s2i", "build", "--retries", "2", fixture.application.path, "\(registry.host)/nothing:1"], root: fixture.store)
        #expect(cli.status != 0 && cli.errorText.components(separatedBy: "Pulling image").count == 3, "\(cli.errorText)")
    }

    /// A hang guard, not a timing: the 2-second API timeout ends the pull well within the limit.
    @Test(.timeLimit(.minutes(2))) func aPullWithoutProgressTimesOut() async throws {
        // A server that takes connections and never answers.
        let port = try FreePort.next()
        let server = try ServerProcess(
            name: "silent server",
            arguments: ["python3", "-c", """
                import socket, sys, time
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(16)
                held = []
                while True:
                    c, _ = s.accept(); held.append(c)
                """, String(port)],
            port: port, logFile: fixture.directory.appending("silent.log"))
        defer { server.stop() }
        var request = fixture.request("127.0.0.1:\(port)/builder:1", tag: "x")
        request.apiTimeout = .seconds(2)
        request.pullRetry = RetryPolicy(maximumAttempts: 1)
        let error = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect("\(String(describing: error))".contains("127.0.0.1:\(port)"), "\(String(describing: error))")
    }
}

