import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// A registry that dies in the middle of a transfer, and one that serves corrupt content.
@Suite(.enabled(if: Interop.available("docker-registry")), .serialized)
struct FaultTests {
    /// An image with one large layer, pushed to `registry` as `name`; returns its manifest.
    private func pushLargeImage(_ harness: RegistryHarness, _ registry: TestRegistry, as name: String) async throws -> (Client, Descriptor) {
        let source = try harness.client("source")
        let manifest = try ImageFixtures.writeImage(
            into: source.store, layers: [ImageFixtures.randomBytes(48 << 20), ImageFixtures.randomBytes(1000)], platform: .host)
        try source.store.setName(try Reference(parsing: name).description, target: manifest, created: Date())
        _ = try await source.push(name, configuration: harness.configuration())
        return (source, manifest)
    }

    /// Stops `registry` abruptly once a transfer of a large blob has moved 8 MB, at most once,
    /// and starts it again after `restartAfter` seconds unless that is nil.
    private func killer(_ registry: TestRegistry, restartAfter: TimeInterval?) -> (ProgressLog, @Sendable () -> Bool) {
        let fired = Flag()
        let log = ProgressLog { event in
            guard event.phase == .downloading || event.phase == .uploading, event.total > 16 << 20,
                event.completed > 8 << 20, fired.setOnce()
            else { return }
            registry.server.kill()
            if let restartAfter {
                Thread.detachNewThread {
                    Thread.sleep(forTimeInterval: restartAfter)
                    try? registry.server.start()
                }
            }
        }
        return (log, { fired.isSet })
    }

    /// Every blob in the store hashes to its digest.
    private func expectStoreValid(_ store: Store) throws {
        for blob in try store.content.all() {
            #expect(throws: Never.self, "blob \(blob.digest)") { try store.content.verify(blob.digest) }
        }
    }

    @Test func pullResumesAfterTheRegistryRestarts() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let name = "\(registry.host)/faults/pull:1"
            let (_, manifest) = try await pushLargeImage(harness, registry, as: name)
            let (log, fired) = killer(registry, restartAfter: 1)
            let target = try harness.client("target")
            let pulled = try await target.pull(
                name, configuration: harness.configuration(retry: RetryPolicy(maximumAttempts: 8, initialDelay: .milliseconds(300))),
                progress: log.handler)
            #expect(fired(), "the registry was never stopped: the test proves nothing")
            #expect(!log.phases(.retrying).isEmpty, "\(log.finalPhases)")
            #expect(try pulled.manifest.digest == manifest.digest)
            // A resumed transfer moves each byte once; a restarted one would move more.
            let parsed = try JSONDecoder().decode(ImageManifest.self, from: target.store.content.data(try manifest.digest))
            let total = parsed.layers.reduce(parsed.config.size) { $0 + $1.size }
            #expect(pulled.downloadedBytes == total, "moved \(pulled.downloadedBytes) bytes for \(total)")
            try expectStoreValid(target.store)
            #expect(try target.store.image(named: try Reference(parsing: name).description) != nil)
        }
    }

    @Test func pullFailsClearlyWhenTheRegistryStaysDownAndARerunCompletes() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let name = "\(registry.host)/faults/down:1"
            let (source, manifest) = try await pushLargeImage(harness, registry, as: name)
            let (log, fired) = killer(registry, restartAfter: nil)
            let target = try harness.client("target")
            let quick = harness.configuration(retry: RetryPolicy(maximumAttempts: 3, initialDelay: .milliseconds(100)))
            do {
                _ = try await target.pull(name, configuration: quick, progress: log.handler)
                Issue.record("a pull from a stopped registry succeeded")
            } catch let error as RegistryError {
                #expect(error.code == .unavailable && error.isTransient, "\(error)")
                #expect(error.message.contains("gave up after 3 tries") && error.message.contains(registry.host), "\(error.message)")
            }
            #expect(fired())
            // Nothing is named, nothing half-written is kept, the big layer is absent.
            #expect(try target.store.images().isEmpty)
            try expectStoreValid(target.store)
            let layers = try JSONDecoder().decode(ImageManifest.self, from: source.store.content.data(try manifest.digest)).layers
            #expect(try !target.store.content.contains(try layers[0].digest))

            try registry.server.start()
            let rerun = try await target.pull(name, configuration: quick)
            #expect(try rerun.manifest.digest == manifest.digest)
            try expectStoreValid(target.store)
        }
    }

    @Test func pushRetriesAfterTheRegistryRestartsOrFailsClearly() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let big = ImageFixtures.randomBytes(48 << 20)
            let manifest = try ImageFixtures.writeImage(into: source.store, layers: [big], platform: .host)
            let name = "\(registry.host)/faults/push:1"
            try source.store.setName(try Reference(parsing: name).description, target: manifest, created: Date())

            // Down for good: a clear, bounded failure.
            let (downLog, downFired) = killer(registry, restartAfter: nil)
            do {
                _ = try await source.push(
                    name, configuration: harness.configuration(retry: RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(100))),
                    progress: downLog.handler)
                Issue.record("a push to a stopped registry succeeded")
            } catch let error as RegistryError {
                #expect(error.code == .unavailable && error.message.contains("gave up after 2 tries"), "\(error)")
            }
            #expect(downFired())
            try registry.server.start()

            // Back after a second: the retry completes the push.
            let (log, fired) = killer(registry, restartAfter: 1)
            let pushed = try await source.push(
                name, configuration: harness.configuration(retry: RetryPolicy(maximumAttempts: 8, initialDelay: .milliseconds(300))),
                progress: log.handler)
            #expect(fired() && !log.phases(.retrying).isEmpty, "\(log.finalPhases)")
            // A monolithic upload starts over: the bytes before the failure went twice.
            #expect(pushed.uploadedBytes > Int64(big.count + (8 << 20)), "sent \(pushed.uploadedBytes) bytes for \(big.count)")
            let pulled = try await harness.client("target").pull(name, configuration: harness.configuration())
            #expect(try pulled.manifest.digest == pushed.target.digest)
        }
    }

    @Test func chunkedPushResumesWhereTheUploadSessionStood() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let size = 48 << 20
            let manifest = try ImageFixtures.writeImage(into: source.store, layers: [ImageFixtures.randomBytes(size)], platform: .host)
            let name = "\(registry.host)/faults/chunked:1"
            try source.store.setName(try Reference(parsing: name).description, target: manifest, created: Date())
            let (log, fired) = killer(registry, restartAfter: 1)
            let chunk = 2 << 20
            let pushed = try await source.push(
                name,
                configuration: harness.configuration(
                    retry: RetryPolicy(maximumAttempts: 8, initialDelay: .milliseconds(300)), chunkSize: chunk),
                progress: log.handler)
            #expect(fired() && !log.phases(.retrying).isEmpty, "\(log.finalPhases)")
            // Starting over would resend the 8 MB before the failure; resuming resends at most
            // the chunk that broke.
            #expect(pushed.uploadedBytes < Int64(size + 3 * chunk), "sent \(pushed.uploadedBytes) bytes for \(size)")
            let pulled = try await harness.client("target").pull(name, configuration: harness.configuration())
            #expect(try pulled.manifest.digest == manifest.digest)
        }
    }

    @Test func blobWithTheWrongDigestIsRefusedAndNotStored() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let layer = ImageFixtures.randomBytes(200_000)
            let manifest = try ImageFixtures.writeImage(into: source.store, layers: [layer], platform: .host)
            let name = "\(registry.host)/faults/corrupt:1"
            try source.store.setName(try Reference(parsing: name).description, target: manifest, created: Date())
            _ = try await source.push(name, configuration: harness.configuration())

            // Same size, other bytes: only the digest can tell.
            let digest = Digest(of: layer)
            let file = registry.blobFile(digest.description)
            #expect(FileManager.default.fileExists(atPath: file.path), "registry layout changed: \(file.path)")
            try ImageFixtures.randomBytes(layer.count).write(to: file)

            let target = try harness.client("target")
            do {
                _ = try await target.pull(name, configuration: harness.configuration())
                Issue.record("a corrupt blob was accepted")
            } catch let error as RegistryError {
                #expect(error.code == .dataLoss, "\(error)")
                #expect(error.message.contains(digest.description), "\(error.message)")
            }
            #expect(try !target.store.content.contains(digest))
            #expect(try target.store.images().isEmpty)
            try expectStoreValid(target.store)
        }
    }
}

/// A flag set once, from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; true only for the call that set it.
    func setOnce() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }

    var isSet: Bool { lock.withLock { value } }
}
