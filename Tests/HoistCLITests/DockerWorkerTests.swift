import Foundation
import Hoist
import HoistBuild
import HoistDockerEngine
import HoistStore
import HoistTestSupport
import Testing

/// Hoist's build engine with the daemon CI starts as its worker (`hoist build --backend docker`):
/// steps run in the daemon's containers, results and cache stay Hoist's.
@Suite("Builds with the docker worker", .serialized,
       .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc")))
struct DockerWorkerTests {
    /// Runs `body` with a client on the docker backend and a context with `note.txt`, the
    /// fixture's image removed from the daemon afterwards.
    private func withDocker(_ body: (Builder) async throws -> Void) async throws {
        let fixture = try await BackendFixture(.docker)
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("from the context\n".utf8).write(to: context.appendingPathComponent("note.txt"))
        let result = await Result(catching: { try await body(Builder(fixture: fixture, context: context)) })
        await fixture.tearDown()
        try result.get()
    }

    struct Builder {
        let fixture: BackendFixture
        let context: URL
        var base: String { fixture.imageName }

        func build(_ dockerfile: String, tag: String, noCache: Bool = false, secrets: [String: String] = [:],
                   sourceDateEpoch: Int64? = nil, events: EventRecorder? = nil) async throws -> ImageSummary {
            try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
            var options = BuildOptions(context: context, tags: [tag], noCache: noCache, secrets: secrets, progress: events?.reporter ?? .discard)
            options.sourceDateEpoch = sourceDateEpoch
            return try await fixture.client.build(options)
        }
    }

    @Test func aCachedRebuildRunsNoStepAndNoCacheRunsThemAll() async throws {
        let tag = uniqueDockerName("worker-cache")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        try await withDocker { builder in
            let dockerfile = """
                FROM \(builder.base)
                COPY note.txt /note.txt
                RUN cat /note.txt > /copied && echo ran >> /copied
                RUN echo "$(cat /copied) again" > /twice
                """
            let first = try await builder.build(dockerfile, tag: tag)
            let events = EventRecorder()
            let second = try await builder.build(dockerfile, tag: tag, events: events)
            #expect(second.id == first.id)
            let steps = { (names: [String]) in names.filter { $0.contains("RUN") || $0.contains("COPY") } }
            #expect(steps(events.started).isEmpty, "steps that ran again: \(events.started)")

            let uncached = EventRecorder()
            _ = try await builder.build(dockerfile, tag: tag, noCache: true, events: uncached)
            #expect(steps(uncached.started).count == 3, "steps run with no cache: \(uncached.started)")

            // The image is the daemon's too: it runs there.
            let run = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", tag, "cat", "/twice"])
            #expect(run.text == "from the context\nran again\n", "\(run.text)")
        }
    }

    @Test func aFailingStepReportsItsExitCodeAndLastOutput() async throws {
        try await withDocker { builder in
            let failure = await Result(catching: {
                try await builder.build(
                    "FROM \(builder.base)\nRUN echo first && sleep 0.2 && echo about to fail >&2 && exit 7\n", tag: uniqueDockerName("worker-fail"))
            })
            guard case .failure(let error as BuildError) = failure else {
                Issue.record("the build should fail with a BuildError: \(failure)")
                return
            }
            #expect(error.exitCode == 7)
            #expect(error.lastOutput == ["first", "about to fail"])
            #expect(error.step?.contains("RUN echo first") == true, "\(error)")
        }
    }

    @Test func aTmpfsMountPointLeavesNothingInTheLayer() async throws {
        let tag = uniqueDockerName("worker-tmpfs")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        try await withDocker { builder in
            _ = try await builder.build(
                "FROM \(builder.base)\nRUN --mount=type=tmpfs,target=/scratch/deep touch /scratch/deep/t && ls /scratch/deep > /listing\n",
                tag: tag)
            let files = try ExternalCommand.checked(
                [Interop.docker, "run", "--rm", "--network=none", tag, "sh", "-c", "cat /listing; ls -d /scratch 2>&1 || true"])
            #expect(files.text.hasPrefix("t\n") && files.text.contains("No such file"), "\(files.text)")
        }
    }

    @Test func aSecretIsReadableInItsStepAndNowhereAfter() async throws {
        let tag = uniqueDockerName("worker-secret")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        try await withDocker { builder in
            let secret = builder.fixture.directory.appending("token")
            try Data("s3cret-value".utf8).write(to: secret)
            _ = try await builder.build(
                "FROM \(builder.base)\nRUN --mount=type=secret,id=token wc -c < /run/secrets/token > /size\n", tag: tag,
                secrets: ["token": secret.path])
            let files = try ExternalCommand.checked(
                [Interop.docker, "run", "--rm", "--network=none", tag, "sh", "-c", "cat /size; ls -a /run/secrets 2>&1 || true"])
            #expect(files.text.hasPrefix("12\n") && files.text.contains("No such file"), "\(files.text)")
            let history = try ExternalCommand.checked([Interop.docker, "save", tag]).standardOutput
            #expect(history.range(of: Data("s3cret-value".utf8)) == nil, "the secret is in no layer")
        }
    }

    @Test func sourceDateEpochClampsTheTimesOfTheDaemonsLayers() async throws {
        let tag = uniqueDockerName("worker-epoch")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        try await withDocker { builder in
            let image = try await builder.build(
                "FROM \(builder.base)\nRUN echo now > /stamped\nRUN cat /stamped > /again\n", tag: tag, sourceDateEpoch: 1_700_000_000)
            let times = try ExternalCommand.checked(
                [Interop.docker, "run", "--rm", "--network=none", tag, "stat", "-c", "%Y", "/stamped", "/again"])
            #expect(times.text == "1700000000\n1700000000\n", "\(times.text)")
            #expect(image.created == Date(timeIntervalSince1970: 1_700_000_000))
        }
    }

    @Test func theDaemonsBaseImageMakesTheSameGraphAsTheStores() async throws {
        try await withDocker { builder in
            try Data("FROM \(builder.base)\nENV MODE=test\nRUN echo $PATH > /path\n".utf8)
                .write(to: builder.context.appendingPathComponent("Dockerfile"))
            let options = BuildOptions(context: builder.context)
            // The native store holds the very image the daemon was given, under the same name.
            let native = try await builder.fixture.busyboxFixture.client.buildGraphDigest(options)
            let docker = try await builder.fixture.client.buildGraphDigest(options)
            #expect(docker == native)
        }
    }
}
