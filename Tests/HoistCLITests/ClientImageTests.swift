import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

@Suite("Client: import, images, inspect, save/load round trips")
struct ClientImageTests {
    @Test func importMakesAOneLayerImageWithChanges() throws {
        let fixture = try BusyboxFixture()
        try fixture.client.importImage(
            rootfs: fixture.rootfs, as: "example.com/team/app:1",
            changes: ["ENV A=1 B=two", "WORKDIR /srv", "WORKDIR data", "EXPOSE 8080 53/udp", "LABEL k=v",
                      "ENTRYPOINT [\"/bin/sh\", \"-c\"]", "CMD echo $A", "USER nobody", "VOLUME /v", "STOPSIGNAL SIGINT"])
        let details = try fixture.client.inspect("example.com/team/app:1")
        #expect(details.repoTags == ["example.com/team/app:1"])
        #expect(details.rootFS.diffIDs.count == 1)
        #expect(details.os == "linux")
        let config = try #require(details.config)
        #expect(config.env == ["A=1", "B=two"])
        #expect(config.workingDir == "/srv/data")
        #expect(config.exposedPorts == ["8080/tcp", "53/udp"])
        #expect(config.labels == ["k": "v"])
        #expect(config.entrypoint == ["/bin/sh", "-c"])
        #expect(config.cmd == ["/bin/sh", "-c", "echo $A"])
        #expect(config.user == "nobody")
        #expect(config.volumes == ["/v"])
        #expect(config.stopSignal == "SIGINT")
        // The layer is the tar itself: its digest is its diff ID.
        #expect(try details.layers[0].digest == details.rootFS.diffIDs[0])
    }

    @Test func imagesListsNamesAndIDsAndResolvesByIDPrefix() async throws {
        let fixture = try BusyboxFixture()
        let images = try await fixture.client.images()
        #expect(images.count == 1)
        let image = try #require(images.first)
        #expect(image.repository == "busybox")
        #expect(image.tag == "latest")
        #expect(image.size > 1_000_000)
        #expect(try fixture.client.inspect(image.id.shortID).id == image.id)
        #expect(try fixture.client.inspect(image.id.description).id == image.id)
        #expect(try fixture.client.inspect("docker.io/library/busybox").id == image.id)
    }

    @Test func reimportingUnderTheSameNameLeavesADanglingImage() async throws {
        let fixture = try BusyboxFixture()
        let first = try await fixture.client.images()[0]
        try await Task.sleep(for: .milliseconds(10))
        try fixture.client.importImage(rootfs: fixture.rootfs, as: "busybox", changes: ["CMD [\"true\"]"])
        let images = try await fixture.client.images()
        #expect(images.count == 2)
        #expect(images.first { $0.reference == nil }?.id == first.id)
    }

    @Test(arguments: ImageArchiveFormat.allCases)
    func saveThenLoadIntoAnotherStoreGivesTheSameImage(format: ImageArchiveFormat) async throws {
        let fixture = try BusyboxFixture()
        let archive = fixture.directory.appending("image-\(format).tar")
        try await fixture.client.save(["busybox"], format: format, to: archive)
        let other = try fixture.freshClient("other")
        let loaded = try await other.load(archive: archive)
        #expect(loaded.map { $0.reference?.description } == ["docker.io/library/busybox:latest"])
        let original = try fixture.client.inspect("busybox")
        let copy = try other.inspect("busybox")
        #expect(copy.id == original.id)
        #expect(copy.digest == original.digest)
        #expect(copy.config == original.config)
        // Every blob verifies, and nothing but the image's own blobs was kept.
        for blob in try other.store.content.all() { try other.store.content.verify(blob.digest) }
        #expect(try BusyboxFixture.blobCount(other) == 3)
    }

    @Test func savingByIDUsesEveryNameOfTheImage() async throws {
        let fixture = try BusyboxFixture()
        try fixture.client.tag("busybox", as: "example.com/other:2")
        let id = try fixture.client.inspect("busybox").id
        let archive = fixture.directory.appending("by-id.tar")
        try await fixture.client.save([id.description], to: archive)
        let loaded = try await fixture.freshClient("other").load(archive: archive)
        #expect(Set(loaded.compactMap { $0.reference?.familiarString }) == ["busybox:latest", "example.com/other:2"])
    }

    @Test func loadAcceptsCompressedArchives() async throws {
        let fixture = try BusyboxFixture()
        let archive = fixture.directory.appending("image.tar")
        try await fixture.client.save(["busybox"], to: archive)
        try ExternalCommand.checked(["gzip", "-k", archive.path])
        let other = try fixture.freshClient("other")
        let loaded = try await other.load(archive: fixture.directory.appending("image.tar.gz"))
        #expect(loaded.count == 1)
    }

    @Test func badInputIsAClearErrorAndLeavesTheStoreAsItWas() async throws {
        let fixture = try BusyboxFixture()
        let client = fixture.client
        let before = try BusyboxFixture.blobCount(client)

        let missing = #expect(throws: ClientError.self) {
            try client.importImage(rootfs: fixture.directory.appending("nope.tar"), as: "x")
        }
        #expect(missing?.code == .notFound)

        let text = fixture.directory.appending("not-a-tar.txt")
        try Data(String(repeating: "definitely not a tar archive\n", count: 100).utf8).write(to: text)
        let notTar = #expect(throws: ClientError.self) { try client.importImage(rootfs: text, as: "x") }
        #expect(notTar?.code == .invalidArgument)

        let badName = #expect(throws: ClientError.self) { try client.importImage(rootfs: fixture.rootfs, as: "Bad/Name") }
        #expect(badName?.code == .invalidArgument)

        let badChange = #expect(throws: ClientError.self) {
            try client.importImage(rootfs: fixture.rootfs, as: "x", changes: ["RUN rm -rf /"])
        }
        #expect(badChange?.code == .invalidArgument)

        let loadMissing = await #expect(throws: StoreError.self) { try await client.load(archive: fixture.directory.appending("nope.tar")) }
        #expect(loadMissing?.code == .notFound)

        let loadRootfs = await #expect(throws: StoreError.self) { try await client.load(archive: fixture.rootfs) }
        #expect(loadRootfs?.code == .invalidArgument)
        #expect(loadRootfs?.description.contains("hoist import") == true)

        let loadText = await #expect(throws: StoreError.self) { try await client.load(archive: text) }
        #expect(loadText?.code == .invalidArgument)

        let unknown = #expect(throws: ClientError.self) { try client.inspect("nosuchimage") }
        #expect(unknown?.code == .notFound)

        #expect(try BusyboxFixture.blobCount(client) == before)
        #expect(try await client.images().count == 1)
    }

    @Test func truncatedArchiveIsRefusedAndLeavesNothing() async throws {
        let fixture = try BusyboxFixture()
        let archive = fixture.directory.appending("image.tar")
        try await fixture.client.save(["busybox"], to: archive)
        let bytes = try Data(contentsOf: archive)
        let truncated = fixture.directory.appending("truncated.tar")
        try bytes.prefix(bytes.count / 2 + 100).write(to: truncated)
        let other = try fixture.freshClient("other")
        await #expect(throws: (any Error).self) { try await other.load(archive: truncated) }
        #expect(try other.store.content.all().isEmpty)
        #expect(try await other.images().isEmpty)
    }

    @Test func ociBlobWithWrongContentIsRefused() async throws {
        let fixture = try BusyboxFixture()
        let layout = fixture.directory.appending("layout")
        let archive = fixture.directory.appending("image.tar")
        try await fixture.client.save(["busybox"], format: .oci, to: archive)
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", archive.path, "-C", layout.path])
        // Replace the config blob's bytes while keeping its name.
        let config = try fixture.client.inspect("busybox").id
        let configPath = layout.appendingPathComponent("blobs/sha256/\(config.encoded)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: configPath.path)
        try Data("{\"tampered\":true}".utf8).write(to: configPath)
        let tampered = fixture.directory.appending("tampered.tar")
        try ExternalCommand.checked(["tar", "-cf", tampered.path, "-C", layout.path, "."])
        let other = try fixture.freshClient("other")
        let error = await #expect(throws: StoreError.self) { try await other.load(archive: tampered) }
        #expect(error?.code == .dataLoss)
        #expect(error?.description.contains(config.encoded) == true)
        #expect(try other.store.content.all().isEmpty)
    }

    @Test func garbageCollectionKeepsNamedImagesAndRemovesTheRest() throws {
        let fixture = try BusyboxFixture()
        let stray = try fixture.client.store.content.write(Data("unreferenced".utf8))
        try fixture.client.importImage(rootfs: fixture.rootfs, as: "second", changes: ["CMD [\"true\"]"])
        let secondID = try fixture.client.inspect("second").id
        #expect(try fixture.client.store.removeName("docker.io/library/second:latest"))
        let report = try fixture.client.store.collectGarbage()
        // The stray blob, the second image's config and manifest go; the shared layer stays.
        #expect(Set(report.removed).isSuperset(of: [stray.digest, secondID]))
        #expect(report.removed.count == 3)
        let details = try fixture.client.inspect("busybox")
        for layer in details.layers { try fixture.client.store.content.verify(try layer.digest) }
        try fixture.client.store.content.verify(details.id)
    }

    /// A listing answers from the metadata database: once an image's facts are kept, listing it
    /// again reads none of its blobs (here: its config is gone, and it still lists as before),
    /// and garbage collection drops the facts of images that no name keeps.
    @Test func listingsReadKeptFactsNotBlobsAndCollectionDropsThem() async throws {
        let fixture = try BusyboxFixture()
        try fixture.client.importImage(rootfs: fixture.rootfs, as: "listed", changes: ["LABEL tier=one"])
        let native = fixture.client.native
        let first = try await native.images(filters: [])
        #expect(try fixture.client.store.imagesWithFacts().allSatisfy { $0.facts != nil })
        let listed = try #require(first.first { $0.reference?.familiarString == "listed:latest" })
        // Without its config blob the image could not be read; its kept facts still list it, labels and all.
        try fixture.client.store.content.delete(listed.id)
        #expect(try await native.images(filters: []) == first)
        #expect(try await native.images(filters: ["label=tier=one"]).map(\.id) == [listed.id])
        let target = try #require(try fixture.client.store.images().first { $0.name == "docker.io/library/listed:latest" }).target
        #expect(try fixture.client.store.removeName("docker.io/library/listed:latest"))
        try fixture.client.store.collectGarbage()
        #expect(try fixture.client.store.facts(of: try target.digest) == nil)
        #expect(try fixture.client.store.facts(of: try #require(try fixture.client.store.images().first).target.digest) != nil)
    }
}
