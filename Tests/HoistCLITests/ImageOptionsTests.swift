import Foundation
import Hoist
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// `client.image(name, options)`: images built from a Dockerfile, a context tar or a stream, or
/// pulled as the pull policy says; errors that name the operation; the backends on offer.
@Suite("Image options", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct ImageOptionsTests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    /// A tar of a context with `files` (path → contents), made by GNU tar.
    private func contextArchive(_ files: [String: String]) throws -> Data {
        let directory = fixture.directory.appending("context-\(UUID().uuidString)")
        for (path, contents) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        return try ExternalCommand.checked(["tar", "-C", directory.path, "-cf", "-", "."]).standardOutput
    }

    @Test func buildsFromDockerfileText() async throws {
        let image = try await fixture.client.image(
            "from-text:1", .build(.dockerfile("FROM busybox\nARG WORD=built\nRUN echo $WORD > /made")))
        #expect(await image.exists())
        #expect(try await image.instantiate(.command(["cat", "/made"])).run().standardOutput == "built\n")
    }

    @Test func buildsFromAContextArchiveAndAStream() async throws {
        let archive = try contextArchive([
            "build/Containerfile": "FROM busybox\nCOPY data/message.txt /message.txt\nCMD [\"cat\", \"/message.txt\"]\n",
            "data/message.txt": "from the archive\n",
        ])
        let fromBytes = try await fixture.client.image("from-archive", .build(.contextArchive(archive, dockerfile: "build/Containerfile")))
        #expect(try await fromBytes.instantiate().run().standardOutput == "from the archive\n")

        let stream = AsyncThrowingStream<Data, any Error> { continuation in
            var offset = 0
            while offset < archive.count {
                continuation.yield(archive.subdata(in: offset..<min(offset + 1000, archive.count)))
                offset += 1000
            }
            continuation.finish()
        }
        var options = ImageOptions.build(.contextStream(stream, dockerfile: "build/Containerfile"))
        options.buildArguments = ["UNUSED": "1"]
        let fromStream = try await fixture.client.image("from-stream", options)
        #expect(try await fromStream.instantiate().run().standardOutput == "from the archive\n")
    }

    @Test func failuresNameTheirOperation() async throws {
        let failing = await #expect(throws: ContainerError.self) {
            try await fixture.client.image("broken", .build(.dockerfile("FROM busybox\nRUN exit 3")))
        }
        #expect(failing?.operation == .build)

        let missing = await #expect(throws: ContainerError.self) {
            try await fixture.client.image("nothere", ImageOptions(pullPolicy: .never))
        }
        #expect(missing?.operation == .imageOptions && missing?.code == .notFound)

        let climbing = await #expect(throws: ContainerError.self) {
            try await fixture.client.image("x", .build(.contextArchive(try contextArchive(["Dockerfile": "FROM busybox"]), dockerfile: "../Dockerfile")))
        }
        #expect(climbing?.operation == .imageOptions)

        let notATar = await #expect(throws: ContainerError.self) {
            try await fixture.client.image("x", .build(.contextArchive(Data("not a tar".utf8))))
        }
        #expect(notATar?.operation == .imageOptions)

        let started = await #expect(throws: ContainerError.self) {
            try await fixture.client.image("busybox").instantiate(.command(["/no/such/program"])).start()
        }
        #expect(started?.operation == .start && started?.code == .notFound, "\(String(describing: started))")

        let failed = try await fixture.client.image("busybox").instantiate(.shell("echo reason >&2; exit 2")).run()
        let checked = #expect(throws: ContainerError.self) { try failed.checked() }
        #expect(checked?.operation == .exitCode && checked?.message.contains("reason") == true)
    }

    @Test(.enabled(if: Interop.available("docker-registry")))
    func pullsWhenMissingAndNotWhenPresent() async throws {
        let registry = try TestRegistry(in: fixture.directory.appending("registry"))
        let name = "\(registry.host)/tools/busybox:1"
        try fixture.client.tag("busybox", as: name)
        try await fixture.client.push(name)

        let other = try fixture.freshClient("other")
        let pulled = try await other.image(name, ImageOptions())
        #expect(await pulled.exists())
        #expect(try other.inspect(name).id == (try fixture.client.inspect("busybox").id))
        // Present now: `missing` does not ask the registry, so a stopped registry is no matter.
        registry.server.stop()
        #expect(await (try await other.image(name, ImageOptions())).exists())
        var pullAlways = ImageOptions(pullPolicy: .always)
        pullAlways.registry = RegistryConfiguration(retry: RetryPolicy(maximumAttempts: 1, initialDelay: .milliseconds(10)))
        let always = await #expect(throws: ContainerError.self) { try await other.image(name, pullAlways) }
        #expect(always?.operation == .pull)
    }

    @Test func backendsOnOffer() async throws {
        let backends = await Client.availableBackends(root: fixture.client.store.root)
        #expect(backends.map(\.backend) == [.native, .docker, .containerd])
        let native = try #require(backends.first)
        #expect(native.isAvailable)
        #expect(native.capabilities.isSuperset(of: [.build, .run, .keptContainers, .exec, .copy, .commit]))
        #expect(fixture.client.backend == .native)
        #expect(fixture.client.capabilities == native.capabilities)
        let docker = try #require(backends.first { $0.backend == .docker })
        #expect(docker.isAvailable == Interop.dockerAvailable, "\(docker)")
        if docker.isAvailable {
            #expect(try Client(root: fixture.client.store.root, backend: .docker).capabilities.contains(.run))
            #expect(!docker.capabilities.contains(.terminal), "what the docker backend lacks is left out")
        }
        if TestContainerd.available {
            _ = try TestContainerd.shared()
            var containerd = try #require(await Client.availableBackends(root: fixture.client.store.root).first { $0.backend == .containerd })
            // Under the whole suite's load the tests' containerd can miss the check's 15 s: asked
            // once more then, so only a containerd that stays silent fails the test.
            if !containerd.isAvailable, containerd.reason?.contains("did not answer within") == true {
                containerd = try #require(await Client.availableBackends(root: fixture.client.store.root).first { $0.backend == .containerd })
            }
            #expect(containerd.isAvailable, "\(containerd)")
            #expect(try Client(root: fixture.client.store.root, backend: .containerd).capabilities.contains(.run))
            #expect(!containerd.capabilities.contains(.commit), "what the containerd backend lacks is left out")
        }
    }
}
