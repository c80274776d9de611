import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Testing

/// The image verbs of the façade — list, remove, prune, save — through each backend: the
/// store's images natively, the daemon's on docker, containerd's on containerd. Every test runs
/// unchanged on each; a backend that lacks a verb must refuse it naming the capability.
@Suite("Image service", .serialized)
struct ImageServiceTests {
    @Test(arguments: TestBackends.all)
    func listsTheBackendsOwnImagesAndFiltersThem(backend: Backend) async throws {
        try await BackendFixture.using(backend) { fixture in
            let client = fixture.client
            let listed = try await client.images()
            #expect(listed.contains { $0.repository == fixture.imageName && $0.tag == "latest" }, "\(listed.map(\.repository))")
            guard client.capabilities.contains(.imageFilters) else {
                let error = await #expect(throws: ClientError.self) { try await client.images(filters: ["reference=\(fixture.imageName)"]) }
                #expect(error?.code == .unsupported && "\(error!)".contains("imageFilters"), "\(String(describing: error))")
                return
            }
            let only = try await client.images(filters: ["reference=\(fixture.imageName)"])
            #expect(only.map(\.repository) == [fixture.imageName])
            #expect(try await client.images(filters: ["reference=hoist-no-such-\(UUID().uuidString.prefix(8).lowercased())"]).isEmpty)
            await #expect(throws: (any Error).self, "an unknown filter key is refused") {
                try await client.images(filters: ["colour=red"])
            }
        }
    }

    @Test(arguments: TestBackends.all)
    func aCommittedImageIsRemovedByNameAndADanglingOnePrunedByLabel(backend: Backend) async throws {
        try await BackendFixture.using(backend) { fixture in
            let client = fixture.client
            guard client.capabilities.contains(.commit) else {
                print("skipped on \(backend.rawValue): it lacks the commit capability this case makes its images with")
                return
            }
            let marker = UUID().uuidString.prefix(8).lowercased()
            let container = fixture.busybox.instantiate(.shell("echo \(marker) > /marker"))
            _ = try await container.create()
            try await container.start()
            #expect(try await container.wait() == 0)
            let name = "hoist-image-service-\(marker):1"
            let named = try await container.commit(as: name, changes: ["LABEL hoist.test=\(marker)"])
            let dangling = try await container.commit(changes: ["LABEL hoist.test=\(marker)"])
            try await container.remove(force: true)

            #expect(try await client.images().contains { $0.reference?.familiarString == name && $0.id.description == named })
            let removals = try await client.removeImage(name)
            #expect(removals.contains(.untagged(try Reference(parsing: name))), "\(removals)")
            #expect(removals.contains { if case .deleted(let id) = $0 { id.description == named } else { false } }, "\(removals)")
            #expect(try await !client.images().contains { $0.reference?.familiarString == name })
            await #expect(throws: (any Error).self, "removing it twice is an error") { try await client.removeImage(name) }

            #expect(try await client.images().contains { $0.reference == nil && $0.id.description == dangling })
            let report = try await client.pruneImages(filters: ["label=hoist.test=\(marker)"])
            // Docker lists the deleted image layers too, as `docker image prune` prints them.
            #expect(report.deletedImages.map(\.description).contains(dangling), "\(report.removals)")
            #expect(try await client.images().contains { $0.repository == fixture.imageName }, "the fixture's image, unlabelled, stays")
            #expect(try await !client.images().contains { $0.id.description == dangling })
        }
    }

    @Test(arguments: TestBackends.all)
    func savesADockerArchiveWholeOrNotAtAll(backend: Backend) async throws {
        try await BackendFixture.using(backend) { fixture in
            let client = fixture.client
            let archive = fixture.directory.appending("saved.tar")
            guard client.capabilities.contains(.imageArchives) else {
                let error = await #expect(throws: ClientError.self) { try await client.save([fixture.imageName], to: archive) }
                #expect(error?.code == .unsupported && "\(error!)".contains("imageArchives"), "\(String(describing: error))")
                return
            }
            try await client.save([fixture.imageName], to: archive)
            let manifest = try ExternalCommand.checked(["tar", "-xOf", archive.path, "manifest.json"]).text
            #expect(manifest.contains("\(fixture.imageName):latest"), "\(manifest)")

            let missing = fixture.directory.appending("missing.tar")
            await #expect(throws: (any Error).self) {
                try await client.save(["hoist-no-such-\(UUID().uuidString.prefix(8).lowercased())"], to: missing)
            }
            #expect(!FileManager.default.fileExists(atPath: missing.path), "a failed save leaves no file")
        }
    }
}
