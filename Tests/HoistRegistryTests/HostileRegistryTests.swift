import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// A registry under an attacker's control (`scripts/hostile-registry.py`, a small server that
/// serves whatever it is given): sizes that lie and bodies that drip. Pulls must fail with a
/// clear error, never crash, never name an image on what they could not verify, and never hang.
@Suite(.enabled(if: Interop.available("python3")), .serialized)
struct HostileRegistryTests {
    let harness: RegistryHarness
    /// What the hostile registry serves.
    let served: URL

    init() throws {
        harness = try RegistryHarness()
        served = try harness.subdirectory("served")
        try FileManager.default.createDirectory(at: served.appendingPathComponent("manifests"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: served.appendingPathComponent("blobs"), withIntermediateDirectories: true)
    }

    /// Starts the registry; `drip` seconds per blob byte.
    private func start(drip: Double = 0) throws -> ServerProcess {
        let port = try FreePort.next()
        return try ServerProcess(
            name: "hostile registry",
            arguments: ["python3", Interop.packageRoot.appendingPathComponent("scripts/hostile-registry.py").path,
                        "--port", "\(port)", "--root", served.path, "--drip", "\(drip)"],
            port: port, logFile: harness.directory.appending("hostile.log"))
    }

    /// Serves an image of one random layer as tag `1`, its layer's descriptor edited by `edit`;
    /// returns the untouched layer descriptor and the source store.
    private func serveImage(layerSize: Int = 4096, edit: (inout Descriptor) -> Void) throws -> (Descriptor, Store) {
        let source = try harness.client("source").store
        let target = try ImageFixtures.writeImage(into: source, layers: [ImageFixtures.randomBytes(layerSize)], platform: .host)
        var manifest = try JSONDecoder().decode(ImageManifest.self, from: try source.content.data(try target.digest))
        for blob in [manifest.config] + manifest.layers {
            try FileManager.default.copyItem(
                atPath: try #require(source.content.path(try blob.digest)),
                toPath: served.appendingPathComponent("blobs/\(blob.digestString)").path)
        }
        let layer = manifest.layers[0]
        edit(&manifest.layers[0])
        try manifest.canonicalJSON().write(to: served.appendingPathComponent("manifests/1"))
        return (layer, source)
    }

    @Test func aDrippingBlobIsGivenUpNotWaitedFor() async throws {
        _ = try serveImage(layerSize: 2048) { _ in }
        let registry = try start(drip: 0.2)
        defer { registry.stop() }
        var configuration = harness.configuration(retry: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(100)))
        configuration.minimumTransferRate = TransferRate(bytes: 1024, window: .seconds(2))
        let client = try harness.client("target")
        // 2048 bytes at 5 a second would arrive whole after 7 minutes; the floor gives up first.
        let error = await #expect(throws: RegistryError.self) {
            _ = try await client.pull("127.0.0.1:\(registry.port)/hostile/app:1", configuration: configuration)
        }
        #expect(error?.message.contains("too slow") == true, "\(String(describing: error))")
        #expect(try await client.images().isEmpty)
    }

    @Test(arguments: [Int64(-1), Int64.max, Int64(1)])
    func aLyingSizeForABlobThatIsPresentIsRefused(size: Int64) async throws {
        let (layer, _) = try serveImage { $0.size = size }
        let registry = try start()
        defer { registry.stop() }
        let client = try harness.client("target")
        // The blob the lie is about is already here, so nothing is downloaded to catch it.
        _ = try client.store.content.write(try Data(contentsOf: served.appendingPathComponent("blobs/\(layer.digestString)")))
        await #expect(throws: (any Error).self) {
            _ = try await client.pull("127.0.0.1:\(registry.port)/hostile/app:1", configuration: harness.configuration())
        }
        #expect(try await client.images().isEmpty, "an image was named on a descriptor that lies")
    }

    @Test func aLayerClaimingInt64MaxBytesIsNotBelieved() async throws {
        _ = try serveImage { $0.size = .max }
        let registry = try start()
        defer { registry.stop() }
        let client = try harness.client("target")
        await #expect(throws: RegistryError.self) {
            _ = try await client.pull(
                "127.0.0.1:\(registry.port)/hostile/app:1",
                configuration: harness.configuration(retry: RetryPolicy(maximumAttempts: 1, initialDelay: .milliseconds(10))))
        }
        #expect(try await client.images().isEmpty)
    }
}
