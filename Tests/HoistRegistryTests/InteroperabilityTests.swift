import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// Hoist and skopeo (an independent client) reading each other's pushes, multi-platform
/// indexes, and a pulled image run by Docker.
@Suite(.enabled(if: Interop.available("docker-registry") && Interop.available("skopeo")))
struct InteroperabilityTests {
    private let platforms = [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64", variant: "v8")]

    @Test func multiPlatformIndexPulledForTwoPlatformsAndPushedByHoist() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            var layers: [String: Data] = [:]
            var manifests: [Descriptor] = []
            for platform in platforms {
                let layer = ImageFixtures.randomBytes(50_000)
                layers[platform.architecture] = layer
                manifests.append(try ImageFixtures.writeImage(into: source.store, layers: [layer], platform: platform, label: platform.architecture))
            }
            let index = try ImageFixtures.writeIndex(into: source.store, manifests: manifests)

            // skopeo pushes the index …
            let layout = try harness.subdirectory("layout")
            try OCILayoutWriter.write(index, from: source.store, to: layout, tag: "1")
            let name = "\(registry.host)/multi/app:1"
            try ExternalCommand.checked(["skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:\(layout.path):1", "docker://\(name)"])

            // … and Hoist pulls each platform from it.
            let target = try harness.client("target")
            for (platform, manifest) in zip(platforms, manifests) {
                let pulled = try await target.pull(name, platform: platform, configuration: harness.configuration())
                #expect(try pulled.index?.digest == index.digest)
                #expect(try pulled.manifest.digest == manifest.digest, "\(platform)")
                #expect(pulled.platform.architecture == platform.architecture)
                #expect(try target.store.content.data(Digest(of: layers[platform.architecture]!)) == layers[platform.architecture])
                #expect(try target.inspect(name).architecture == platform.architecture)
            }
            do {
                _ = try await target.pull(name, platform: Platform(os: "linux", architecture: "s390x"), configuration: harness.configuration())
                Issue.record("a platform the index lacks was pulled")
            } catch let error as RegistryError {
                #expect(error.code == .notFound && error.message.contains("linux/arm64"), "\(error)")
            }

            // Hoist pushes an index; skopeo reads it back whole.
            let hoistName = "\(registry.host)/multi/hoist:2"
            try source.store.setName(try Reference(parsing: hoistName).description, target: index, created: Date())
            let pushed = try await source.push(hoistName, configuration: harness.configuration())
            #expect(try pushed.target.digest == index.digest)
            let raw = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(hoistName)"])
            #expect(Digest(of: raw.standardOutput) == (try index.digest), "\(raw.text)")
            let arm = try ExternalCommand.checked([
                "skopeo", "--override-arch", "arm64", "--override-variant", "v8", "inspect", "--tls-verify=false", "docker://\(hoistName)",
            ])
            #expect(arm.text.contains("\"Architecture\": \"arm64\""), "\(arm.text)")
        }
    }

    @Test func skopeoReadsAndCopiesWhatHoistPushed() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let client = try harness.client("source")
            let name = "\(registry.host)/hoist/busybox:1"
            try harness.importBusybox(into: client, as: name)
            let local = try client.inspect(name)
            _ = try await client.push(name, configuration: harness.configuration(chunkSize: 512 * 1024))

            let inspect = try ExternalCommand.checked(["skopeo", "inspect", "--tls-verify=false", "docker://\(name)"])
            #expect(inspect.text.contains("\"Digest\": \"\(local.digest)\""), "\(inspect.text)")
            let copy = try harness.directory.appending("copied")
            try ExternalCommand.checked([
                "skopeo", "copy", "--preserve-digests", "--dest-oci-accept-uncompressed-layers", "--src-tls-verify=false",
                "docker://\(name)", "oci:\(copy.path):copied"])
            let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: copy.appendingPathComponent("index.json")))
            #expect(try index.manifests.first?.digest == local.digest, "\(index)")
        }
    }

    @Test(.enabled(if: Interop.dockerAvailable))
    func imagePushedBySkopeoIsPulledByHoistAndRunByHoistAndDocker() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let rootfs = harness.directory.appending("rootfs.tar")
            try Interop.makeBusyboxRootfs(at: rootfs)
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let dockerName = "hoist-registry-test-\(suffix):src"
            let reloaded = "hoist-registry-test-\(suffix):pulled"
            defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", dockerName, reloaded]) }
            // Docker builds the image and skopeo pushes it: no Hoist code on this side.
            try ExternalCommand.checked([Interop.docker, "import", "--change", "CMD [\"echo\", \"pulled-by-hoist\"]", rootfs.path, dockerName])
            let name = "\(registry.host)/skopeo/busybox:1"
            try ExternalCommand.checked(["skopeo", "copy", "--dest-tls-verify=false", "docker-daemon:\(dockerName)", "docker://\(name)"])

            let root = harness.directory.appending("stores/cli")
            let pull = try Interop.hoist(["pull", "--progress", "plain", name], root: root)
            #expect(pull.status == 0, "\(pull.errorText)")
            #expect(pull.errorText.contains("Complete"), "\(pull.errorText)")
            try Interop.hoist(["tag", name, reloaded], root: root).expectSuccess()
            let archive = harness.directory.appending("pulled.tar")
            try Interop.hoist(["save", "-o", archive.path, reloaded], root: root).expectSuccess()
            try ExternalCommand.checked([Interop.docker, "load", "-i", archive.path])
            let run = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", reloaded])
            #expect(run.text == "pulled-by-hoist\n", "\(run.text)")
            // And Hoist runs what it pulled itself.
            if Interop.isRoot {
                let hoistRun = try Interop.hoist(["run", name], root: root)
                #expect(hoistRun.status == 0, "\(hoistRun.errorText)")
                #expect(hoistRun.text == "pulled-by-hoist\n", "\(hoistRun.text)")
            }
        }
    }
}

extension ExternalCommand.Output {
    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 0, "exit \(status): \(errorText)", sourceLocation: sourceLocation)
    }
}
