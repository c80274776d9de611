import Foundation
import Hoist
import HoistDockerEngine
import HoistStore
import HoistTestSupport

/// The backends the container API suite runs on: native always (where runc and root are),
/// docker where a daemon answers — CI starts one, and there it is required — and containerd
/// where it is installed (the tests start their own; required in CI too).
enum TestBackends {
    static var all: [Backend] {
        var backends: [Backend] = []
        // Required (CI): every column runs, and one that cannot fails rather than vanishing.
        if Interop.required || (Interop.isRoot && Interop.available("runc")) { backends.append(.native) }
        if Interop.dockerAvailable { backends.append(.docker) }
        if TestContainerd.available { backends.append(.containerd) }
        return backends
    }

    /// Docker alone.
    static var docker: [Backend] { all.filter { $0 == .docker } }
}

/// A busybox image, made by Hoist, ready on `backend`: in a fresh native store, and for docker
/// and containerd also loaded into the daemon under a name of its own (removed by
/// ``tearDown()``).
struct BackendFixture {
    let busyboxFixture: BusyboxFixture
    let client: Client
    /// The busybox image's name on the backend.
    let imageName: String
    var directory: TemporaryDirectory { busyboxFixture.directory }
    var busybox: Image { client.image(imageName) }

    init(_ backend: Backend) async throws {
        switch backend {
        case .docker:
            let name = "hoist-api-busybox-\(UUID().uuidString.prefix(8).lowercased())"
            busyboxFixture = try BusyboxFixture(name: name)
            let archive = busyboxFixture.directory.appending("busybox.tar")
            try await busyboxFixture.client.save([name], to: archive)
            let engine = try await EngineClient.connect()
            try await engine.loadImages(from: archive)
            client = try Client(root: StoreRoot(busyboxFixture.directory.appending("docker-client")), backend: .docker)
            imageName = name
        case .containerd:
            _ = try TestContainerd.shared()
            let name = "hoist-api-busybox-\(UUID().uuidString.prefix(8).lowercased())"
            busyboxFixture = try BusyboxFixture(name: name)
            client = try Client(root: busyboxFixture.client.store.root, backend: .containerd)
            try await client.loadIntoBackend(name)
            imageName = name
        default:
            busyboxFixture = try BusyboxFixture()
            client = busyboxFixture.client
            imageName = "busybox"
        }
    }

    /// Runs `body` with a fixture for `backend`, removing what it loaded into a daemon after.
    static func using(_ backend: Backend, _ body: (BackendFixture) async throws -> Void) async throws {
        let fixture = try await BackendFixture(backend)
        do {
            try await body(fixture)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    /// Removes what the fixture put into a daemon.
    func tearDown() async {
        switch client.backend {
        case .docker:
            guard let engine = try? await EngineClient.connect() else { return }
            try? await engine.removeImage(imageName, force: true)
        case .containerd:
            _ = try? await client.removeImage(imageName)
        case .native, .automatic:
            break
        }
    }
}
