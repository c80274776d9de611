import Foundation
import Hoist
import HoistTestSupport
import Testing

/// `hoist run --pull missing|never|always` against an image in a registry the test starts on
/// 127.0.0.1, side by side with `docker run --pull` on the same registry: a missing image is
/// pulled (and said to be missing as Docker says it), `never` refuses with Docker's message,
/// `always` gets the newest image under the tag.
@Suite(
    "docker run --pull, parity with Docker", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc") && Interop.available("docker-registry")))
struct RunPullTests {
    let fixture: BusyboxFixture
    let registry: TestRegistry
    /// The pushed image as `hoist run` and `docker run` are given it: no tag (`latest`).
    let image: String

    init() throws {
        fixture = try BusyboxFixture()
        registry = try TestRegistry(in: fixture.directory.appending("registry"))
        image = "\(registry.host)/hoist-run-pull-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// `hoist run FLAGS IMAGE COMMAND` on the fixture's store, without a network.
    func hoist(_ flags: [String], _ command: [String]) throws -> ExternalCommand.Output {
        try Interop.hoist(["run", "--rm", "--network=none"] + flags + [image] + command, root: fixture.client.store.root.url)
    }

    /// The same with `docker run`.
    func docker(_ flags: [String], _ command: [String]) throws -> ExternalCommand.Output {
        try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none"] + flags + [image] + command)
    }

    /// Pushes an image whose `/version` holds `version` under ``image``, and removes it from the
    /// fixture's store and from Docker.
    func publish(version: String) async throws {
        let built = "hoist-run-pull-source:\(version)"
        _ = try await fixture.client.image(built, .build(.dockerfile("FROM busybox\nRUN echo \(version) > /version")))
        try fixture.client.tag(built, as: image)
        _ = try await registry.explainingFailures { try await fixture.client.push(image) }
        try await fixture.client.removeImage(image)
        _ = try ExternalCommand.run([Interop.docker, "rmi", "-f", image])
    }

    @Test func missingImagesArePulledNeverRefusesAlwaysPullsAgain() async throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        try await publish(version: "one")
        #expect(await !fixture.client.image(image).exists())

        // never: Docker's message and status; nothing pulled.
        let neverDocker = try docker(["--pull", "never"], ["cat", "/version"])
        let neverHoist = try hoist(["--pull", "never"], ["cat", "/version"])
        #expect(neverHoist.status == 125 && neverDocker.status == 125, "hoist \(neverHoist.status), docker \(neverDocker.status)")
        let refusal = "No such image: \(image):latest"
        #expect(neverDocker.errorText.contains(refusal), "\(neverDocker.errorText)")
        #expect(neverHoist.errorText.contains(refusal), "\(neverHoist.errorText)")
        #expect(await !fixture.client.image(image).exists())

        // missing (the default too): said to be missing, pulled, run.
        let missingDocker = try docker(["--pull", "missing"], ["cat", "/version"])
        let missingHoist = try hoist(["--pull", "missing"], ["cat", "/version"])
        #expect(missingDocker.status == 0 && missingHoist.status == 0, "\(missingHoist.errorText)\n\(registry.server.log)")
        #expect(missingHoist.text == "one\n" && missingHoist.text == missingDocker.text, "hoist: \(missingHoist.text) docker: \(missingDocker.text)")
        let firstLine = { (output: ExternalCommand.Output) in output.errorText.split(separator: "\n").first.map(String.init) }
        #expect(firstLine(missingHoist) == "Unable to find image '\(image):latest' locally", "\(missingHoist.errorText)")
        #expect(firstLine(missingHoist) == firstLine(missingDocker), "docker said \(missingDocker.errorText)")
        #expect(await fixture.client.image(image).exists())

        // A newer image under the tag: missing keeps the one there, always gets the new one.
        let newer = "hoist-run-pull-source:two"
        _ = try await fixture.client.image(newer, .build(.dockerfile("FROM busybox\nRUN echo two > /version")))
        _ = try await registry.explainingFailures { try await fixture.client.push(newer, to: image) }
        #expect(try hoist([], ["cat", "/version"]).text == "one\n")
        #expect(try docker([], ["cat", "/version"]).text == "one\n")
        let alwaysHoist = try hoist(["--pull", "always"], ["cat", "/version"])
        let alwaysDocker = try docker(["--pull", "always"], ["cat", "/version"])
        #expect(alwaysHoist.status == 0, "\(alwaysHoist.errorText)")
        #expect(alwaysHoist.text == "two\n" && alwaysHoist.text == alwaysDocker.text, "hoist: \(alwaysHoist.text) docker: \(alwaysDocker.text)")

        // always asks the registry every time: with it gone, the run fails before anything is made.
        registry.server.stop()
        let unreachable = try hoist(["--pull", "always"], ["cat", "/version"])
        #expect(unreachable.status == 125, "\(unreachable.text)")
        #expect(try fixture.client.store.containers().isEmpty)
        #expect(try hoist(["--pull", "never"], ["cat", "/version"]).text == "two\n")
    }
}
