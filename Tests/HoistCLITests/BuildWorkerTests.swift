import Foundation
import Hoist
import HoistDockerEngine
import HoistStore
import HoistTestSupport
import Testing

/// One suite of builds for every backend's build worker (issue 17): each case of the
/// differential corpus built by Hoist's engine twice from the same busybox image — on the
/// native backend, and on the backend under test (docker: the daemon runs the steps;
/// containerd: the store's worker, the image then the backend's) — with equal files and
/// configs, a failing case failing with the same error, and on docker the image in the daemon
/// under its tag. Unchanged for every backend; where a backend cannot run, CI fails.
@Suite("Build workers: the differential corpus on every backend", .serialized,
       .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildWorkerTests {
    @Test(arguments: TestBackends.all, DifferentialTests.cases)
    func buildsMatchNative(backend: Backend, name: String) async throws {
        try await DifferentialTests.holdingBase(of: name) { try await compare(name, on: backend) }
    }

    private func compare(_ name: String, on backend: Backend) async throws {
        let fixture = try BusyboxFixture()
        let other = try await client(for: backend, besides: fixture)
        let context = try DifferentialTests.context(name, in: fixture.directory)
        let tag = uniqueDockerName("worker-\(name)")
        defer { if backend == .docker { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag, DifferentialTests.baseName]) } }

        let baseContext = context.appendingPathComponent("base")
        if FileManager.default.fileExists(atPath: baseContext.path) {
            _ = try await fixture.client.build(BuildOptions(context: baseContext, tags: [DifferentialTests.baseName]))
            _ = try await other.build(BuildOptions(context: baseContext, tags: [DifferentialTests.baseName]))
        }
        let (arguments, target) = try DifferentialTests.buildOptions(name)
        let options = BuildOptions(context: context, tags: [tag], buildArguments: arguments, target: target)
        let native = await Result(catching: { try await fixture.client.build(options) })
        let built = await Result(catching: { try await other.build(options) })

        if name.hasPrefix("fail-") {
            guard case .failure(let nativeError as BuildError) = native, case .failure(let otherError as BuildError) = built else {
                Issue.record("\(name) should fail on both with a BuildError: native \(native), \(backend) \(built)")
                return
            }
            #expect(otherError.step == nativeError.step && otherError.exitCode == nativeError.exitCode)
            // A command's failure reads the same; an image that cannot be had, in the daemon's words.
            if nativeError.exitCode != nil { #expect("\(otherError)" == "\(nativeError)") }
            return
        }
        let nativeImage = try native.get()
        let image = try built.get()
        let nativeDetails = try fixture.client.inspect(nativeImage.id.description)
        let details = try other.inspect(image.id.description)
        let nativeConfig = try #require(nativeDetails.config)
        let config = try #require(details.config)
        #expect(DifferentialTests.fields(config) == DifferentialTests.fields(nativeConfig),
                "config differs for \(name):\n\(backend): \(DifferentialTests.fields(config))\nnative: \(DifferentialTests.fields(nativeConfig))")
        #expect(details.layers.count == nativeDetails.layers.count)
        let directory = fixture.directory
        let nativeFiles = try DifferentialTests.hoistRootfs(fixture.client, image: nativeImage.id.description, into: directory.appending("native"))
        let files = try DifferentialTests.hoistRootfs(other, image: image.id.description, into: directory.appending("other"))
        let differences = files.differences(from: nativeFiles).filter { line in
            !DifferentialTests.listedPaths(name, in: "worker-differences").contains { line.hasPrefix("\($0): ") }
        }
        #expect(differences.isEmpty, "files differ for \(name) (\(backend) worker ≠ native):\n\(differences.prefix(40).joined(separator: "\n"))")

        // The backend has the image under the tag; the daemon the very image.
        #expect(await other.image(tag).exists(), "\(backend) lacks \(tag)")
        if backend == .docker {
            let inDaemon = try ExternalCommand.checked([Interop.docker, "image", "inspect", "--format", "{{.Id}}", tag]).text
            #expect(inDaemon.trimmingCharacters(in: .whitespacesAndNewlines) == image.id.description)
        }
    }

    /// A client of `backend` with its own store holding the fixture's very busybox image — on
    /// docker also loaded into the daemon under the name the cases use.
    private func client(for backend: Backend, besides fixture: BusyboxFixture) async throws -> Client {
        let busybox = fixture.directory.appending("busybox.tar")
        try await fixture.client.save(["busybox:latest"], to: busybox)
        let store = StoreRoot(fixture.directory.appending("\(backend.rawValue)-store"))
        switch backend {
        case .docker:
            try await EngineClient.connect().loadImages(from: busybox)
        case .containerd:
            _ = try TestContainerd.shared()
        case .native, .automatic:
            break
        }
        let client = try Client(root: store, backend: backend)
        if backend != .docker { _ = try await client.load(archive: busybox) }
        return client
    }
}
