import Foundation
import Hoist
import HoistArchive
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Hoist's archives read by independent tools, and Docker's archives read by Hoist.
@Suite("Image archives: interop with skopeo, umoci and dockerd", .serialized)
struct ImageArchiveInteropTests {
    @Test(.enabled(if: Interop.available("skopeo")))
    func skopeoReadsHoistsOCILayout() async throws {
        let fixture = try BusyboxFixture()
        let layout = try await extractedLayout(fixture)
        let output = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "oci:\(layout.path):latest"])
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: output.standardOutput)
        let details = try fixture.client.inspect("busybox")
        #expect(try manifest.config.digest == details.id)
        let config = try ExternalCommand.checked(["skopeo", "inspect", "--config", "oci:\(layout.path):latest"])
        #expect(config.text.contains("\"sh\""), "config as skopeo reads it: \(config.text)")
    }

    @Test(.enabled(if: Interop.available("umoci") && Interop.isRoot))
    func umociUnpacksHoistsOCILayout() async throws {
        let fixture = try BusyboxFixture()
        let layout = try await extractedLayout(fixture)
        let bundle = fixture.directory.appending("bundle")
        try ExternalCommand.checked(["umoci", "unpack", "--image", "\(layout.path):latest", bundle.path])
        let unpacked = try FileTree(root: bundle.appendingPathComponent("rootfs").path)
        let expected = try extractedRootfs(fixture.rootfs, into: fixture.directory.appending("expected"))
        let differences = expected.differences(from: unpacked)
        #expect(differences.isEmpty, "umoci's rootfs differs from the imported tar:\n\(differences.prefix(20).joined(separator: "\n"))")
    }

    @Test(.enabled(if: Interop.dockerAvailable))
    func dockerLoadsAndRunsHoistsDockerArchive() async throws {
        let fixture = try BusyboxFixture()
        let name = uniqueDockerName("load")
        try fixture.client.importImage(rootfs: fixture.rootfs, as: name, changes: ["ENV GREETING=hello-from-hoist", "CMD [\"sh\", \"-c\", \"echo $GREETING\"]"])
        let archive = fixture.directory.appending("docker.tar")
        try await fixture.client.save([name], to: archive)
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", name]) }
        let load = try ExternalCommand.checked([Interop.docker, "load", "-i", archive.path])
        #expect(load.text.contains("\(name):latest"), "docker load said: \(load.text)")
        let run = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", name])
        #expect(run.text == "hello-from-hoist\n")
        let id = try ExternalCommand.checked([Interop.docker, "image", "inspect", "-f", "{{.Id}}", name]).text
        #expect(id.trimmingCharacters(in: .whitespacesAndNewlines) == (try fixture.client.inspect(name).id.description))
    }

    /// docker save writes a layer two steps made alike once, the second as a symbolic link
    /// (`ID/layer.tar -> ../ID0/layer.tar`): the load follows it.
    @Test(.enabled(if: Interop.dockerAvailable))
    func hoistLoadsDockerSaveWithALayerStoredOnce() async throws {
        let directory = try TemporaryDirectory()
        let saved = try savedByDocker(in: directory, files: ["f": "same\n"]) { "FROM \($0)\nCOPY f /x\nRUN rm /x\nCOPY f /x\n" }
        let listing = try ExternalCommand.checked(["tar", "-tvf", saved.archive.path]).text
        try #require(listing.split(separator: "\n").contains { $0.hasPrefix("l") && $0.contains("layer.tar ->") }, "docker stored no layer twice: \(listing)")

        let client = try Client(root: StoreRoot(directory.appending("store")))
        let loaded = try await client.load(archive: saved.archive)
        #expect(loaded.map { $0.reference?.familiarString } == ["\(saved.name):latest"])
        let details = try client.inspect(saved.name)
        #expect(details.layers.count == 4 && details.layers[1] == details.layers[3])
        #expect(details.id.description == saved.dockerID)
    }

    @Test(.enabled(if: Interop.dockerAvailable && Interop.isRoot))
    func hoistLoadsDockerSaveAndItsLayersGiveDockerExportsTree() async throws {
        let directory = try TemporaryDirectory()
        // Layers that add, change, delete (whiteouts) and replace directories (opaque).
        let saved = try savedByDocker(in: directory) { base in
            """
            FROM \(base)
            RUN mkdir -p /data/keep /data/replace && echo one > /data/keep/a && echo x > /data/replace/old && ln -s keep/a /data/link && chmod 4755 /bin/busybox
            RUN rm /data/keep/a && echo two > /data/keep/b && rm -rf /data/replace && mkdir /data/replace && echo new > /data/replace/new && rm /etc/group
            RUN echo someone:x:1234:1234::/home/someone:/bin/sh >> /etc/passwd && mkdir -p /home/someone/dir && chown -R 1234:1234 /home/someone && chmod 700 /home/someone/dir && touch -d @1000000000 /data/keep/b
            """
        }
        let built = saved.name

        let client = try Client(root: StoreRoot(directory.appending("store")))
        let loaded = try await client.load(archive: saved.archive)
        #expect(loaded.map { $0.reference?.familiarString } == ["\(built):latest"])
        let details = try client.inspect(built)
        #expect(details.id.description == saved.dockerID)
        #expect(details.layers.count == 4)

        let applied = directory.appending("applied")
        try FileManager.default.createDirectory(at: applied, withIntermediateDirectories: true)
        let applier = try LayerApplier(root: applied.path)
        for (layer, diffID) in zip(details.layers, details.rootFS.diffIDs) {
            let blob = try #require(client.store.content.path(try layer.digest))
            let result = try applier.apply(try FileByteSource(path: blob))
            #expect(result.diffID == diffID)
        }

        // And it runs: docker save → hoist load → hoist run.
        let run = try await client.image(built).instantiate(.shell("cat /data/keep/b /data/replace/new; ls /data/keep; id -u someone")).run()
        #expect(run.standardOutput == "two\nnew\nb\n1234\n", "\(run.combined)")

        // The image left dockerd with savedByDocker; its own archive brings it back for docker export.
        try ExternalCommand.checked([Interop.docker, "load", "-i", saved.archive.path])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", built]) }
        let container = try ExternalCommand.checked([Interop.docker, "create", built, "sh"]).text
            .trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", container]) }
        let exported = directory.appending("exported.tar")
        try ExternalCommand.checked([Interop.docker, "export", "-o", exported.path, container])
        try extractedRootfs(exported, into: directory.appending("expected"))
        // docker export adds the container's own mount points and files that are not in the image.
        let containerOnly: Set<String> = [".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab", "dev/console", "dev/pts", "dev/shm", "proc", "sys", "dev"]
        let actual = try FileTree(root: applied.path) { containerOnly.contains($0) || $0.hasPrefix("dev/") }
        let wanted = try FileTree(root: directory.appending("expected").path) { containerOnly.contains($0) || $0.hasPrefix("dev/") }
        let differences = wanted.differences(from: actual)
        #expect(differences.isEmpty, "applied layers differ from docker export:\n\(differences.prefix(30).joined(separator: "\n"))")
    }

    // MARK: Helpers

    /// Saves busybox as an OCI-layout tar and extracts it into a directory.
    private func extractedLayout(_ fixture: BusyboxFixture) async throws -> URL {
        let archive = fixture.directory.appending("oci.tar")
        try await fixture.client.save(["busybox"], format: .oci, to: archive)
        let layout = fixture.directory.appending("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", archive.path, "-C", layout.path])
        return layout
    }

    /// Extracts a tar with GNU tar, keeping owners and modes, and captures the tree.
    @discardableResult
    private func extractedRootfs(_ tar: URL, into directory: URL) throws -> FileTree {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "--numeric-owner", "-xpf", tar.path, "-C", directory.path])
        return try FileTree(root: directory.path)
    }

    /// The image `dockerfile(base)` (with `files` in its context) built by Docker's classic
    /// builder on a busybox base imported into dockerd, then saved by `docker save`: its name,
    /// the archive and the ID dockerd gave it. Both images leave dockerd before this returns.
    private func savedByDocker(in directory: TemporaryDirectory, files: [String: String] = [:],
                               _ dockerfile: (String) -> String) throws -> (name: String, archive: URL, dockerID: String) {
        let base = uniqueDockerName("base")
        let built = uniqueDockerName("built")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", built, base]) }
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try ExternalCommand.checked([Interop.docker, "import", rootfs.path, base])
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: context.appendingPathComponent(name)) }
        try Data(dockerfile(base).utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try ExternalCommand.checked([Interop.docker, "build", "--network=none", "-q", "-t", built, context.path],
                                    environment: ["DOCKER_BUILDKIT": "0"])
        let archive = directory.appending("saved.tar")
        try ExternalCommand.checked([Interop.docker, "save", "-o", archive.path, built])
        let id = try ExternalCommand.checked([Interop.docker, "image", "inspect", "-f", "{{.Id}}", built]).text
        return (built, archive, id.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
