import Foundation
import HoistContainerd
import HoistOCI
import HoistTestSupport
import Testing

/// The gRPC client against a real containerd (Debian's, started by ``TestContainerd``), each
/// service checked by what the daemon then holds — and by `ctr`, an independent client, where
/// it can tell.
@Suite("containerd client", .enabled(if: TestContainerd.available))
struct ContainerdClientTests {
    private let daemon: TestContainerd
    private let client: ContainerdClient

    init() throws {
        daemon = try TestContainerd.shared()
        client = try ContainerdClient(ContainerdAddress(socketPath: daemon.socket, namespace: daemon.namespace))
    }

    @Test func versionAndNamespaces() async throws {
        let version = try await client.version()
        #expect(version.version.hasPrefix("1.6."), "\(version)")
        #expect(try await client.namespaceExists(daemon.namespace))
        #expect(try await !client.namespaceExists("hoist-nothere"))
        let name = "hoist-ns-\(UUID().uuidString.prefix(8).lowercased())"
        try await client.createNamespace(name, labels: ["made-by": "hoist"])
        #expect(try await client.namespaces().contains(name))
        #expect(try daemon.ctrChecked(["namespaces", "list", "-q"]).text.split(separator: "\n").contains(Substring(name)))
        let again = await #expect(throws: ContainerdError.self) { try await client.createNamespace(name) }
        #expect(again?.code == .alreadyExists)
        try await client.deleteNamespace(name)
        #expect(try await !client.namespaceExists(name))
    }

    @Test func anAbsentSocketIsOneClearLine() throws {
        let missing = #expect(throws: ContainerdError.self) {
            try ContainerdClient(ContainerdAddress(socketPath: "/nonexistent/containerd.sock"))
        }
        #expect(missing?.code == .unavailable)
        #expect(missing?.description == "no containerd socket at /nonexistent/containerd.sock")
    }

    @Test func contentIsCommittedOnlyWithItsDigest() async throws {
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let digest = Digest(of: data)
        // Held by a lease: other suites' image removals run the garbage collector meanwhile.
        try await client.withLease { lease in
            try await client.writeContent(data, digest: digest, labels: ["hoist.test": "yes"], lease: lease)
            let info = try #require(try await client.contentInfo(digest))
            #expect(info.size == Int64(data.count))
            #expect(info.labels["hoist.test"] == "yes")
            #expect(try await client.readContent(digest) == data, "the bytes read back are those written")
            #expect(try daemon.ctrChecked(["content", "get", digest.description]).standardOutput == data, "ctr reads the same blob")
            // Writing it again sends nothing and keeps it.
            try await client.writeContent(data, digest: digest, labels: ["hoist.other": "1"], lease: lease)
            #expect(try await client.contentInfo(digest)?.labels == ["hoist.test": "yes", "hoist.other": "1"])

            let claimed = Digest(of: Data("something else".utf8))
            let mismatch = await #expect(throws: ContainerdError.self) {
                try await client.writeContent(Data("not what the digest says".utf8), digest: claimed)
            }
            #expect(mismatch?.code == .failedPrecondition, "\(String(describing: mismatch))")
            #expect(try await client.contentInfo(claimed) == nil, "a write whose digest does not match is not stored")
            #expect(try await client.contentStatuses().allSatisfy { $0.expected != claimed }, "and leaves no write open")

            try await client.deleteContent(digest)
            #expect(try await client.contentInfo(digest) == nil)
            let absent = await #expect(throws: ContainerdError.self) { try await client.readContent(digest) }
            #expect(absent?.code == .notFound)
        }
    }

    @Test func imagesAreCreatedListedUpdatedAndDeleted() async throws {
        try await client.withLease { lease in
            let first = Data(#"{"schemaVersion":2}"#.utf8)
            let second = Data(#"{"schemaVersion":2,"x":1}"#.utf8)
            for blob in [first, second] { try await client.writeContent(blob, digest: Digest(of: blob), lease: lease) }
            let name = "docker.io/hoist/test-\(UUID().uuidString.prefix(8).lowercased()):1"
            let target = Descriptor(mediaType: .ociManifest, digest: Digest(of: first), size: Int64(first.count))
            try await client.createImage(ContainerdImage(name: name, target: target, labels: ["a": "1"]), lease: lease)
            #expect(try await client.image(name)?.target.digestString == target.digestString)
            #expect(try await client.images(filters: ["name==\(name)"]).map(\.name) == [name])
            #expect(try daemon.ctrChecked(["images", "list", "-q"]).text.contains(name), "ctr lists it")
            let taken = await #expect(throws: ContainerdError.self) {
                try await client.createImage(ContainerdImage(name: name, target: target))
            }
            #expect(taken?.code == .alreadyExists)

            let moved = Descriptor(mediaType: .ociManifest, digest: Digest(of: second), size: Int64(second.count))
            try await client.updateImage(ContainerdImage(name: name, target: moved, labels: ["a": "2"]))
            let updated = try #require(try await client.image(name))
            #expect(updated.target.digestString == moved.digestString)
            #expect(updated.labels == ["a": "2"])

            try await client.deleteImage(name)
            #expect(try await client.image(name) == nil)
            let gone = await #expect(throws: ContainerdError.self) { try await client.deleteImage(name) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func leasesAreMadeAndRemoved() async throws {
        let lease = try await client.createLease()
        #expect(try await client.leaseIDs().contains(lease))
        #expect(try daemon.ctrChecked(["leases", "list", "-q"]).text.contains(lease))
        try await client.deleteLease(lease)
        #expect(try await !client.leaseIDs().contains(lease))
    }

    @Test func aLayerIsAppliedToASnapshotAndCommitted() async throws {
        let scratch = try TemporaryDirectory()
        let tree = scratch.appending("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try Data("hello from a layer\n".utf8).write(to: tree.appendingPathComponent("etc/greeting"))
        let layerFile = scratch.appending("layer.tar")
        try ExternalCommand.checked(["tar", "-C", tree.path, "-cf", layerFile.path, "etc"])
        let layer = try Data(contentsOf: layerFile)
        let digest = Digest(of: layer)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        try await client.withLease { lease in
            try await client.writeContent(layer, digest: digest, lease: lease)
            let key = "hoist-test-extract-\(suffix)"
            let mounts = try await client.prepareSnapshot(key, parent: nil, lease: lease)
            #expect(!mounts.isEmpty)
            #expect(try await client.snapshot(key)?.kind == .active)
            let applied = try await client.applyLayer(
                Descriptor(mediaType: .ociLayer, digest: digest, size: Int64(layer.count)), to: mounts, lease: lease)
            #expect(applied.digestString == digest.description, "an uncompressed layer's diff ID is its digest")
            let name = "hoist-test-layer-\(suffix)"
            try await client.commitSnapshot(key, as: name, lease: lease)
            #expect(try await client.snapshot(key) == nil, "the active snapshot became the committed one")
            #expect(try await client.snapshot(name)?.kind == .committed)

            // A view of it shows the layer's file, as ctr mounts it.
            let view = "hoist-test-view-\(suffix)"
            let viewMounts = try await client.viewSnapshot(view, parent: name, lease: lease)
            #expect(!viewMounts.isEmpty)
            #expect(try await client.snapshots().contains { $0.name == view && $0.parent == name && $0.kind == .view })
            let mountPoint = scratch.appending("mnt")
            try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
            // `ctr snapshots mount` prints the mount command rather than mounting.
            let command = try daemon.ctrChecked(["snapshots", "mount", mountPoint.path, view]).text
            try ExternalCommand.checked(["sh", "-c", command])
            #expect(try String(contentsOf: mountPoint.appendingPathComponent("etc/greeting"), encoding: .utf8) == "hello from a layer\n")
            _ = try? ExternalCommand.run(["umount", mountPoint.path])

            try await client.removeSnapshot(view)
            try await client.removeSnapshot(name)
            #expect(try await client.snapshot(name) == nil)
        }
    }
}
