import Foundation
import Hoist
import HoistRegistry
import HoistTestSupport
import Testing

/// The image policies of `client.image(name, options)` that users of container clients rely on:
/// the latest image or, when the registry fails, the local one with the registry's error;
/// builds only when the image is missing or a rebuild is forced; builds without the cache.
@Suite("Image policies", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct ImagePolicyTests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    /// What `cat PATH` prints in a container of `image`.
    func contents(_ image: Image, _ path: String) async throws -> String {
        try await image.instantiate(.command(["cat", path]), .network("none")).run().checked().standardOutput
    }

    /// `.latestOrLocal` with one attempt per pull, so a stopped registry fails at once.
    var latestOrLocal: ImageOptions {
        var options = ImageOptions.latestOrLocal
        options.registry = RegistryConfiguration(retry: RetryPolicy(maximumAttempts: 1, initialDelay: .milliseconds(10)))
        return options
    }

    @Test(.enabled(if: Interop.available("docker-registry")))
    func latestOrLocalFallsBackWithTheRegistrysError() async throws {
        let registry = try TestRegistry(in: fixture.directory.appending("registry"))
        let name = "\(registry.host)/policy/tool:1"
        _ = try await fixture.client.image("tool:one", .build(.dockerfile("FROM busybox\nRUN echo one > /version")))
        _ = try await registry.explainingFailures { try await fixture.client.push("tool:one", to: name) }

        let user = try fixture.freshClient("user")
        let first = try await user.image(name, latestOrLocal)
        #expect(first.pullFailure == nil)
        #expect(try await contents(first, "/version") == "one\n")

        // A newer image under the tag: the policy gets it.
        _ = try await fixture.client.image("tool:two", .build(.dockerfile("FROM busybox\nRUN echo two > /version")))
        _ = try await registry.explainingFailures { try await fixture.client.push("tool:two", to: name) }
        let second = try await user.image(name, latestOrLocal)
        #expect(second.pullFailure == nil)
        #expect(try await contents(second, "/version") == "two\n")

        // The registry down: the local image, and why the pull failed.
        registry.server.stop()
        let fallback = try await user.image(name, latestOrLocal)
        let failure = try #require(fallback.pullFailure, "the pull of a stopped registry did not fail")
        #expect(failure.operation == .pull)
        #expect(failure.underlying != nil, "\(failure)")
        #expect(try await contents(fallback, "/version") == "two\n")

        // Without the fallback the same pull throws; without a local image the fallback throws.
        var always = latestOrLocal
        always.fallsBackToLocalImage = false
        let thrown = await #expect(throws: ContainerError.self) { try await user.image(name, always) }
        #expect(thrown?.operation == .pull)
        let nothingLocal = await #expect(throws: ContainerError.self) {
            try await user.image("\(registry.host)/policy/never-pulled:1", latestOrLocal)
        }
        #expect(nothingLocal?.operation == .pull)
    }

    @Test func buildsOnlyWhenMissingOrForced() async throws {
        let first = try await fixture.client.image("policy-build:1", .build(.dockerfile("FROM busybox\nRUN echo first > /made")))
        #expect(try await contents(first, "/made") == "first\n")
        // There already: a changed Dockerfile is not built.
        let kept = try await fixture.client.image("policy-build:1", .build(.dockerfile("FROM busybox\nRUN echo second > /made")))
        #expect(try await contents(kept, "/made") == "first\n")
        // Forced: built again.
        let rebuilt = try await fixture.client.image(
            "policy-build:1", .build(.dockerfile("FROM busybox\nRUN echo second > /made"), forceRebuild: true))
        #expect(try await contents(rebuilt, "/made") == "second\n")
    }

    @Test func noCacheRunsEveryStepAgain() async throws {
        // A step whose output differs on every run: a cached result repeats it.
        let dockerfile = "FROM busybox\nRUN cat /proc/sys/kernel/random/uuid > /id"
        let original = try await contents(try await fixture.client.image("policy-cache:1", .build(.dockerfile(dockerfile))), "/id")
        let cached = try await contents(
            try await fixture.client.image("policy-cache:1", .build(.dockerfile(dockerfile), forceRebuild: true)), "/id")
        #expect(cached == original, "a forced rebuild with the cache ran the step again")
        let uncached = try await contents(
            try await fixture.client.image("policy-cache:1", .build(.dockerfile(dockerfile), forceRebuild: true, noCache: true)), "/id")
        #expect(uncached != original, "--no-cache reused the cached step")
        // Missing images are built without the cache too.
        let fresh = try await contents(try await fixture.client.image("policy-cache:2", .build(.dockerfile(dockerfile), noCache: true)), "/id")
        #expect(fresh != original && fresh != uncached)
    }

    /// Builds `tag` on busybox with `/f` holding `line`, dated 2001 (SOURCE_DATE_EPOCH).
    func buildOld(_ tag: String, _ line: String, labels: [String: String] = [:]) async throws {
        let context = fixture.directory.appending("context-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo \(line) > /f\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        var options = BuildOptions(context: context, tags: [tag], labels: labels)
        options.sourceDateEpoch = 1_000_000_000
        _ = try await fixture.client.build(options)
    }

    /// `clean(olderThan:filters:)`: old images go whatever their names, new ones stay, and so
    /// do the images containers use until the containers go.
    @Test func cleanForceRemovesOldImagesButKeepsThoseInUse() async throws {
        let client = fixture.client
        try await buildOld("old-plain:1", "plain")
        try client.tag("old-plain:1", as: "old-plain:second-name")
        try await buildOld("old-team:1", "team", labels: ["team": "a"])
        try await buildOld("old-used:1", "used")
        let user = try await client.native.createContainer("old-used:1", RunOptions(command: ["cat", "/f"], network: .none))
        func present(_ name: String) async -> Bool { await client.image(name).exists() }

        // A filter narrows it down.
        let team = try await client.clean(olderThan: .seconds(3600), filters: ["label=team=a"])
        let teamLeft = await present("old-team:1")
        let plainLeft = await present("old-plain:1")
        let usedLeft = await present("old-used:1")
        #expect(!teamLeft && plainLeft && usedLeft)
        #expect(team.removals.count == 2, "\(team.removals)")

        // Every old image, both names of one; not the new busybox, nor the one a container uses.
        _ = try await client.clean(olderThan: .seconds(3600))
        let firstName = await present("old-plain:1")
        let secondName = await present("old-plain:second-name")
        #expect(!firstName && !secondName)
        #expect(await present("busybox"))
        #expect(await present("old-used:1"))
        #expect(try await client.image("busybox").instantiate(.command(["true"]), .network("none")).run().exitCode == 0)
        #expect(try await client.native.runContainer(user, standardOutput: { _ in }, standardError: { _ in }) == 0)

        // The container gone, its image goes too.
        try await client.native.removeContainer(user)
        _ = try await client.clean(olderThan: .seconds(3600))
        let usedAfter = await present("old-used:1")
        #expect(!usedAfter)

        let negative = await #expect(throws: ClientError.self) { try await client.clean(olderThan: .seconds(-1)) }
        #expect(negative?.code == .invalidArgument)
        let badFilter = await #expect(throws: ClientError.self) { try await client.clean(olderThan: .seconds(1), filters: ["colour=red"]) }
        #expect(badFilter?.code == .invalidArgument)
        #expect(await present("busybox"))
    }
}
