import Foundation
import Hoist
import HoistArchive
import HoistDockerEngine
import HoistStore
import HoistTestSupport
import Testing

/// Kept containers through the Swift API — start in the background, exec, kill, wait, logs,
/// copy in and out, commit, remove — with real runc/crun.
@Suite("Container lifecycle", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct ContainerLifecycleTests {
    let fixture: BusyboxFixture
    var busybox: Image { fixture.client.image("busybox") }

    init() throws {
        fixture = try BusyboxFixture()
    }

    @Test func startExecKillWaitRemove() async throws {
        let container = busybox.instantiate(.command(["sleep", "1000"]), .environment(["ROLE": "server"]), .name("server"))
        try await container.start()
        #expect(try await container.inspect().state == .running)
        #expect(try await fixture.client.native.containers(all: false).map(\.name) == ["server"])

        let exec = try await container.exec(["sh", "-c", "echo $ROLE $EXTRA; hostname; echo oops >&2; exit 4"], environment: ["EXTRA": "x"])
        #expect(exec.exitCode == 4)
        #expect(exec.standardOutput == "server x\n\(try #require(container.id).prefix(12))\n")
        #expect(exec.standardError == "oops\n")

        try await container.kill()
        #expect(try await container.wait() == 137)
        #expect(try await container.inspect().state == .exited(137))
        #expect(try await fixture.client.native.containers(all: false).isEmpty)
        #expect(try await fixture.client.native.containers(all: true).count == 1)

        let id = try #require(container.id)
        try await container.remove()
        #expect(throws: ClientError.self) { try fixture.client.native.container(id) }
        #expect(!FileManager.default.fileExists(atPath: fixture.client.store.containerDirectory(id).path))
        #expect(!(ProcFile.read("/proc/self/mountinfo") ?? "").contains(id), "its root file system is unmounted")
    }

    @Test func logsOfABackgroundContainer() async throws {
        let container = busybox.instantiate(.shell("echo one; echo two >&2; exit 3"))
        defer { Task { [container] in try? await container.remove(force: true) } }
        try await container.start()
        #expect(try await container.wait() == 3)
        let logs = try await container.logs()
        #expect(logs.standardOutput == "one\n")
        #expect(logs.standardError == "two\n")
        try await container.remove()
    }

    @Test func aRunningContainerIsRemovedOnlyByForce() async throws {
        let marker = "\(Int.random(in: 100_000..<999_999))"
        let container = busybox.instantiate(.command(["sleep", marker]))
        try await container.start()
        let refused = await #expect(throws: ContainerError.self) { try await container.remove() }
        #expect(refused?.operation == .remove && refused?.code == .failedPrecondition)
        #expect(try await container.inspect().state == .running)
        try await container.remove(force: true)
        let left = try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text
        #expect(left.isEmpty, "still running: \(left)")
    }

    @Test func namesAreUniqueAndChecked() async throws {
        let first = try await fixture.client.native.createContainer("busybox", Self.options(name: "twin"))
        defer { Task { [client = fixture.client] in try? await client.native.removeContainer(first) } }
        await #expect(throws: ClientError.self) { try await fixture.client.native.createContainer("busybox", Self.options(name: "twin")) }
        await #expect(throws: ClientError.self) { try await fixture.client.native.createContainer("busybox", Self.options(name: "bad/name")) }
        await #expect(throws: ClientError.self) { try await fixture.client.native.createContainer("nothere", Self.options(name: "x")) }
        #expect(try await fixture.client.native.containers().count == 1)
        #expect(try fixture.client.native.container("twin").state == .created)
        try await fixture.client.native.removeContainer("twin")
    }

    @Test func aMissingCommandFailsTheStartAndLeavesItCreated() async throws {
        let container = busybox.instantiate(.command(["/no/such/program"]))
        await #expect(throws: (any Error).self) { try await container.start() }
        #expect(try await container.inspect().state == .created)
        try await container.remove()
    }

    @Test func copyInAndOutRoundTrips() async throws {
        let source = fixture.directory.appending("tree")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("alpha\n".utf8).write(to: source.appendingPathComponent("a.txt"))
        try Data(repeating: 7, count: 300_000).write(to: source.appendingPathComponent("sub/big.bin"))
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("link").path, withDestinationPath: "a.txt")

        let container = busybox.instantiate(.command(["sleep", "1000"]))
        try await container.start()
        let id = try #require(container.id)
        try await fixture.client.copyIn(id, from: source.path, to: "/srv")
        try await fixture.client.copyIn(id, from: source.path, to: "/tmp")  // a second copy mounts nothing more
        let mounts = (ProcFile.read("/proc/self/mountinfo") ?? "").split(separator: "\n").filter { $0.contains(id) }
        #expect(mounts.count == 1, "\(mounts)")
        let listing = try await container.exec(["sh", "-c", "cat /srv/a.txt; wc -c < /srv/sub/big.bin; readlink /srv/link"])
        #expect(listing.standardOutput == "alpha\n300000\na.txt\n", "\(listing.combined)")

        // Made inside, copied out as a tar and as files.
        _ = try await container.exec(["sh", "-c", "mkdir /made && echo inside > /made/f && chmod 640 /made/f"])
        let tar = try await container.copyOut(path: "/made")
        var names: [String] = []
        var reader = TarReader(MemoryByteSource(Array(tar)))
        while let header = try reader.next() { names.append(header.name) }
        #expect(names.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }.sorted() == ["made", "made/f"])

        let out = fixture.directory.appending("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try await fixture.client.copyOut(id, from: "/srv", to: out.path)
        try await fixture.client.copyOut(id, from: "/made/f", to: out.appendingPathComponent("renamed").path)
        let differences = try FileTree(root: source.path).differences(from: FileTree(root: out.appendingPathComponent("srv").path))
        #expect(differences.isEmpty, "\(differences)")
        #expect(try String(contentsOf: out.appendingPathComponent("renamed"), encoding: .utf8) == "inside\n")

        // Nothing escapes the container's root: a link pointing out is followed inside it.
        _ = try await container.exec(["ln", "-s", "/../../../../etc", "/escape"])
        try fixture.client.native.copyIn(id, archive: tar, into: "/escape")
        #expect(try await container.exec(["cat", "/etc/made/f"]).standardOutput == "inside\n")
        #expect(!FileManager.default.fileExists(atPath: "/etc/made"))
        try await container.remove(force: true)
    }

    @Test func commitMakesAnImageOfTheChanges() async throws {
        let container = busybox.instantiate(.shell("echo built > /artifact; mkdir -p /app"), .environment(["STAGE": "one"]))
        try await container.start()
        #expect(try await container.wait() == 0)
        let image = try await container.commit(as: "committed:1", changes: ["CMD [\"cat\", \"/artifact\"]", "WORKDIR /app"])
        let details = try fixture.client.inspect("committed:1")
        #expect(details.id.description == image)
        #expect(details.config?.cmd == ["cat", "/artifact"])
        #expect(details.config?.workingDir == "/app")
        #expect(details.config?.env?.contains("STAGE=one") == true)
        #expect(details.layers.count == 2)
        let run = try await fixture.client.image("committed:1").instantiate().run()
        #expect(run.standardOutput == "built\n")
        try await container.remove()
    }

    @Test func garbageCollectionKeepsContainersAndTheirImages() async throws {
        let container = busybox.instantiate(.shell("echo kept > /mark"))
        try await container.start()
        #expect(try await container.wait() == 0)
        // The image loses its name; the container still holds it.
        try fixture.client.store.removeName("docker.io/library/busybox:latest")
        try fixture.client.store.collectGarbage()
        let tar = try await container.copyOut(path: "/mark")
        #expect(!tar.isEmpty)
        #expect(try await container.commit(as: "after-gc").hasPrefix("sha256:"))
        try await container.remove()
    }

    /// The kept-container calls a Swift program makes, on each backend alike.
    @Test(arguments: TestBackends.all)
    func keptContainerThroughTheAPIOnEachBackend(backend: Backend) async throws {
        let fixture = try await BackendFixture(backend)
        defer { Task { await fixture.tearDown() } }
        let marker = "\(Int.random(in: 100_000..<999_999))"
        let container = fixture.busybox.instantiate(.command(["sleep", marker]), .environment(["ROLE": "kept"]))
        try await container.start()
        #expect(try await container.inspect().state == .running)

        let exec = try await container.exec(["sh", "-c", "echo $ROLE; echo made > /made; exit 6"])
        #expect(exec.exitCode == 6 && exec.standardOutput == "kept\n", "\(exec.combined)")

        let tar = try await container.copyOut(path: "/made")
        try await container.copyIn(archive: tar, into: "/tmp")
        #expect(try await container.exec(["cat", "/tmp/made"]).standardOutput == "made\n")

        if backend == .containerd {
            // Not on containerd yet, and it says so.
            let commit = await #expect(throws: ContainerError.self) { try await container.commit(as: "kept-\(marker):1") }
            #expect(commit?.code == .unsupported)
        } else {
            let image = try await container.commit(as: "kept-\(marker):1", changes: ["CMD [\"cat\", \"/made\"]"])
            #expect(image.hasPrefix("sha256:"))
            #expect(try await fixture.client.image("kept-\(marker):1").instantiate().run().standardOutput == "made\n")
        }

        try await container.kill()
        #expect(try await container.wait() == 137)
        #expect(try await container.inspect().state == .exited(137))
        try await container.remove()
        #expect(try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text.isEmpty)
        if backend == .docker, let engine = try? await EngineClient.connect() {
            try? await engine.removeImage("kept-\(marker):1", force: true)
        }
    }

    private static func options(name: String) -> RunOptions {
        var options = RunOptions(command: ["true"])
        options.name = name
        return options
    }
}
