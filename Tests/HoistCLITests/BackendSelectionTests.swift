import Foundation
import Hoist
import HoistTestSupport
import Testing

/// `--backend auto` (``Backend/automatic``): Docker when it answers, then containerd, then
/// native, then a failure naming why each was refused — every verdict from a real call (issue
/// 17). Docker "stopped" is a `DOCKER_HOST` where no daemon listens; the tests' own containerd
/// stands in for the host's.
@Suite("Automatic backend choice", .serialized,
       .enabled(if: Interop.isRoot && Interop.dockerAvailable && TestContainerd.available && Interop.available("runc")))
struct BackendSelectionTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func info(_ environment: [String: String]) throws -> ExternalCommand.Output {
        try ExternalCommand.run(
            [Interop.hoistExecutable, "system", "info", "--backend", "auto"],
            environment: ["HOIST_ROOT": directory.appending("store").path].merging(environment) { $1 })
    }

    @Test func dockerThenContainerdThenNativeThenNone() throws {
        let containerd = try TestContainerd.shared()
        let noDocker = "unix://" + directory.appending("no-docker.sock").path
        let chosenDocker = try info(["CONTAINERD_ADDRESS": containerd.socket])
        #expect(chosenDocker.text.contains("Automatic choice: docker"), "\(chosenDocker.text)\(chosenDocker.errorText)")

        let chosenContainerd = try info(["DOCKER_HOST": noDocker, "CONTAINERD_ADDRESS": containerd.socket])
        #expect(chosenContainerd.text.contains("Automatic choice: containerd"), "\(chosenContainerd.text)")
        #expect(chosenContainerd.text.contains("docker: unavailable: no Docker daemon answers"))

        let chosenNative = try info(["DOCKER_HOST": noDocker, "CONTAINERD_ADDRESS": directory.appending("no-containerd.sock").path])
        #expect(chosenNative.text.contains("Automatic choice: native"), "\(chosenNative.text)")

        // No runtime on PATH either: nothing can be used, and a command says why for each.
        let nothing = try ExternalCommand.run(
            [Interop.hoistExecutable, "images", "--backend", "auto"],
            environment: ["HOIST_ROOT": directory.appending("store").path, "DOCKER_HOST": noDocker,
                          "CONTAINERD_ADDRESS": directory.appending("no-containerd.sock").path, "PATH": directory.appending("empty").path])
        #expect(nothing.status != 0)
        for backend in ["docker:", "containerd:", "native: neither runc nor crun"] {
            #expect(nothing.errorText.contains(backend), "\(nothing.errorText)")
        }
    }

    @Test func theSwiftAPIRefusesAnAutomaticClientWithoutHealthChecks() async throws {
        #expect(throws: ClientError.self) { _ = try Client(root: .init(directory.appending("api")), backend: .automatic) }
        let client = try await Client.connect(root: .init(directory.appending("api")), backend: .native)
        #expect(client.backend == .native)
    }
}
