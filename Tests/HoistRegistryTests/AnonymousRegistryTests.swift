import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// Pull and push against a `docker-registry` without authentication.
@Suite(.enabled(if: Interop.available("docker-registry")))
struct AnonymousRegistryTests {
    @Test func pushedImageIsPulledIntoAnotherStoreUnchanged() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let name = "\(registry.host)/tools/busybox:1"
            try harness.importBusybox(into: source, as: name)
            let local = try source.inspect(name)

            let pushLog = ProgressLog()
            let pushed = try await source.push(name, configuration: harness.configuration(), progress: pushLog.handler)
            #expect(try pushed.target.digest == local.digest)
            let blobs = Set([local.id] + (try local.layers.map { try $0.digest }))
            #expect(pushLog.phases(.complete) == blobs, "\(pushLog.all)")
            #expect(pushed.uploadedBytes == local.size, "uploaded \(pushed.uploadedBytes) of \(local.size)")

            // A second push finds every blob in place and uploads nothing.
            let again = ProgressLog()
            let second = try await source.push(name, configuration: harness.configuration(), progress: again.handler)
            #expect(second.uploadedBytes == 0)
            #expect(Set(again.finalPhases.values) == [.alreadyPresent], "\(again.finalPhases)")

            let target = try harness.client("target")
            let pullLog = ProgressLog()
            let pulled = try await target.pull(name, configuration: harness.configuration(), progress: pullLog.handler)
            #expect(try pulled.manifest.digest == local.digest)
            #expect(pulled.configDigest == local.id)
            #expect(pulled.downloadedBytes == local.size)
            let details = try target.inspect(name)
            #expect(details.digest == local.digest && details.id == local.id, "\(details)")
            for layer in details.layers {
                try target.store.content.verify(try layer.digest)
            }

            // Pulling again moves nothing; pulling by digest names the same manifest.
            let repeated = try await target.pull(name, configuration: harness.configuration())
            #expect(repeated.downloadedBytes == 0)
            let byDigest = try await target.pull("\(registry.host)/tools/busybox@\(local.digest)", configuration: harness.configuration())
            #expect(try byDigest.manifest.digest == local.digest)
        }
    }

    @Test func chunkedUploadAndCrossRepositoryMount() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let layers = [ImageFixtures.randomBytes(300_000), ImageFixtures.randomBytes(70_000)]
            let manifest = try ImageFixtures.writeImage(into: source.store, layers: layers, platform: .host)
            let first = "\(registry.host)/chunked/a:1"
            try source.store.setName(try Reference(parsing: first).description, target: manifest, created: Date())

            let chunked = try await source.push(first, configuration: harness.configuration(chunkSize: 64 * 1024))
            #expect(chunked.uploadedBytes == Int64(layers.map(\.count).reduce(0, +)) + (try configSize(source, manifest)))

            // The same image under another repository of the registry: its blobs are mounted.
            let second = "\(registry.host)/chunked/b:2"
            try source.tag(first, as: second)
            let log = ProgressLog()
            let mounted = try await source.push(second, configuration: harness.configuration(), progress: log.handler)
            #expect(mounted.uploadedBytes == 0)
            #expect(log.phases(.mounted).count == 3, "\(log.finalPhases)")

            let target = try harness.client("target")
            let pulled = try await target.pull(second, configuration: harness.configuration())
            #expect(try pulled.manifest.digest == manifest.digest)
            for (index, layer) in layers.enumerated() {
                let digest = Digest(of: layer)
                #expect(try target.store.content.data(digest) == layer, "layer \(index) \(digest)")
            }
        }
    }

    @Test func unknownTagsAndRepositoriesAreNotFound() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        let client = try harness.client("store")
        do {
            _ = try await client.pull("\(registry.host)/nothing/here:1", configuration: harness.configuration())
            Issue.record("pulling a missing image succeeded")
        } catch let error as RegistryError {
            #expect(error.code == .notFound, "\(error)")
            #expect(error.message.contains("/v2/nothing/here/manifests/1"), "\(error.message)")
            #expect(error.message.contains("MANIFEST_UNKNOWN") || error.message.contains("NAME_UNKNOWN"), "\(error.message)")
        }
        #expect(try await client.images().isEmpty)
    }

    private func configSize(_ client: Client, _ manifest: Descriptor) throws -> Int64 {
        try JSONDecoder().decode(ImageManifest.self, from: client.store.content.data(try manifest.digest)).config.size
    }
}
