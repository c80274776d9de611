import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Containers and command lines under an attacker's control: a running container racing
/// `hoist cp`, and limits and inputs that used to crash hoist or reach the runtime unchecked.
/// Each test is the attack and the check that it fails (issue 15).
@Suite("Adversarial containers", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct AdversarialContainerTests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    /// A kept container that swaps its `/d` between a directory holding `x` and a symlink to
    /// `hostDirectory` — a path that exists on the host, not in the container — as fast as it can.
    private func startSwapper(hostDirectory: String) async throws -> (Container, String) {
        let name = "swapper-\(UUID().uuidString.prefix(8).lowercased())"
        let loop = "while :; do rm -rf /d; mkdir /d; echo inside > /d/x; rm -rf /d; ln -s \(hostDirectory) /d; done"
        let container = fixture.client.image("busybox").instantiate(.command(["sh", "-c", loop]), .name(name))
        try await container.start()
        return (container, name)
    }

    @Test func copiesIntoARacingContainerNeverLandOnTheHost() async throws {
        let victim = fixture.directory.appending("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        let payload = fixture.directory.appending("payload.txt")
        try Data("payload".utf8).write(to: payload)
        let (container, name) = try await startSwapper(hostDirectory: victim.path)
        var copied = 0
        for _ in 0..<400 where (try? await fixture.client.copyIn(name, from: payload.path, to: "/d/")) != nil {
            copied += 1
        }
        try await container.remove(force: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: victim.path).isEmpty, "a copy landed on the host")
        #expect(copied > 0, "no copy went in at all: the test did not race")
    }

    @Test func copiesOutOfARacingContainerNeverReturnHostFiles() async throws {
        let hostSecrets = fixture.directory.appending("host-secrets")
        try FileManager.default.createDirectory(at: hostSecrets, withIntermediateDirectories: true)
        try Data("HOST-SECRET".utf8).write(to: hostSecrets.appendingPathComponent("x"))
        let (container, name) = try await startSwapper(hostDirectory: hostSecrets.path)
        let out = fixture.directory.appending("out")
        var leaked = 0
        var copied = 0
        for attempt in 0..<150 {
            let destination = out.appendingPathComponent("\(attempt)")
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            guard (try? await fixture.client.copyOut(name, from: "/d/x", to: destination.path)) != nil else { continue }
            copied += 1
            let text = (try? String(contentsOf: destination.appendingPathComponent("x"), encoding: .utf8)) ?? ""
            if text.contains("HOST-SECRET") { leaked += 1 }
        }
        try await container.remove(force: true)
        #expect(leaked == 0, "\(leaked) of \(copied) copies returned the host's file")
        #expect(copied > 0, "no copy came out at all: the test did not race")
    }

    /// Mount entries under the store, to see that a failure leaves none behind.
    private func storeMounts() -> Int {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let store = fixture.client.store.root.url.path
        return table.split(separator: "\n").filter { $0.contains(store) }.count
    }

    @Test(arguments: [["--cpus", "nan"], ["--cpus", "inf"], ["--cpus", "1e300"], ["--cpus", "-1"],
                      ["--memory", "8e"], ["--memory", "9000000000000000000"], ["--memory=-5m"],
                      ["--pids-limit", "9223372036854775807", "--cpus", "nan"]])
    func limitsFromTheCommandLineAreCheckedBeforeAnythingIsMounted(flags: [String]) throws {
        let before = storeMounts()
        let result = try Interop.hoist(["run", "--rm"] + flags + ["busybox", "true"], root: fixture.client.store.root.url)
        #expect(result.status != 0 && result.status != 132 && result.status < 128,
                "hoist run \(flags) exited \(result.status): \(result.errorText)")
        #expect(!result.errorText.isEmpty && !result.errorText.contains("Fatal error"), "\(result.errorText)")
        #expect(storeMounts() == before, "a mount was left behind")
    }

    @Test func aMemoryLimitOfZeroMeansNoLimitAsInDocker() throws {
        let result = try Interop.hoist(["run", "--rm", "--memory", "0", "busybox", "true"], root: fixture.client.store.root.url)
        #expect(result.status == 0, "\(result.errorText)")
    }

    @Test func relativeWorkingDirectoriesAreRefusedAsDockerRefusesThem() async throws {
        let error = await #expect(throws: (any Error).self) {
            _ = try await fixture.client.image("busybox").instantiate(.command(["pwd"]), .workingDirectory("relative")).run()
        }
        #expect("\(String(describing: error))".contains("absolute path"))
        try fixture.client.importImage(rootfs: fixture.rootfs, as: "climbing:1", changes: ["WORKDIR /a/../../..", "CMD [\"pwd\"]"])
        let run = try await fixture.client.image("climbing:1").instantiate().run().checked()
        #expect(run.standardOutput == "/\n")
    }

    @Test func aStoreRootThatCannotBeAStoreIsOneLineOfError() throws {
        let result = try ExternalCommand.run(
            [Interop.hoistExecutable, "images"], environment: ["HOIST_ROOT": "/proc/self"])
        #expect(result.status != 0)
        #expect(!result.errorText.contains("NSCocoaErrorDomain") && !result.errorText.contains("Error Domain"), "\(result.errorText)")
        #expect(result.errorText.split(separator: "\n").count == 1, "\(result.errorText)")
    }

    @Test func pushRefusesChunksOfNoBytes() throws {
        let result = try Interop.hoist(["push", "--chunk-size=-1", "busybox", "127.0.0.1:1/x:1"], root: fixture.client.store.root.url)
        #expect(result.status == 125, "a usage error exits 125, as Docker's CLI: \(result.errorText)")
    }

    @Test func anOCILayoutClaimingALayerOfInt64MaxBytesIsRefused() async throws {
        let archive = fixture.directory.appending("layout.tar")
        try await fixture.client.save(["busybox"], format: .oci, to: archive)
        let layout = fixture.directory.appending("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", archive.path, "-C", layout.path])
        // The manifest rewritten with a layer size of 2^63-1, stored under its new digest.
        let indexURL = layout.appendingPathComponent("index.json")
        var index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: indexURL)) as? [String: Any])
        var entries = try #require(index["manifests"] as? [[String: Any]])
        let oldDigest = try #require(entries[0]["digest"] as? String)
        let blobs = layout.appendingPathComponent("blobs/sha256")
        var manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: blobs.appendingPathComponent(String(oldDigest.dropFirst(7))))) as? [String: Any])
        var layers = try #require(manifest["layers"] as? [[String: Any]])
        layers[0]["size"] = Int64.max
        manifest["layers"] = layers
        let edited = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        let newDigest = Digest(of: edited)
        try edited.write(to: blobs.appendingPathComponent(newDigest.encoded))
        entries[0]["digest"] = newDigest.description
        entries[0]["size"] = edited.count
        index["manifests"] = entries
        try JSONSerialization.data(withJSONObject: index).write(to: indexURL)
        let hostile = fixture.directory.appending("hostile-layout.tar")
        try ExternalCommand.checked(["tar", "-cf", hostile.path, "-C", layout.path, "."])

        let store = fixture.directory.appending("other-store")
        let load = try Interop.hoist(["load", "-i", hostile.path], root: store)
        #expect(load.status != 0 && load.status < 128, "hoist load exited \(load.status): \(load.errorText)")
        for command in [["images"], ["system", "df"]] {
            let result = try Interop.hoist(command, root: store)
            #expect(result.status == 0, "hoist \(command) exited \(result.status): \(result.errorText)")
        }
    }

    @Test func anArchiveNamingAnImageWithAPathIsRefusedWhole() async throws {
        let archive = fixture.directory.appending("saved.tar")
        try await fixture.client.save(["busybox"], to: archive)
        // Rewrite manifest.json's tag to one that is no reference.
        let unpacked = fixture.directory.appending("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", archive.path, "-C", unpacked.path])
        let manifest = unpacked.appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "busybox:latest", with: "../../x:1")
        try Data(text.utf8).write(to: manifest)
        let hostile = fixture.directory.appending("hostile.tar")
        try ExternalCommand.checked(["tar", "-cf", hostile.path, "-C", unpacked.path, "."])
        let other = try fixture.freshClient("other")
        let error = await #expect(throws: (any Error).self) { _ = try await other.load(archive: hostile) }
        #expect("\(String(describing: error))".contains("../../x:1"))
        #expect(try await other.images().isEmpty, "an image was loaded unnamed")
    }
}
