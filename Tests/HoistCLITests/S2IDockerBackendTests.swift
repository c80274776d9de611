import Foundation
import Hoist
import HoistDockerEngine
import HoistS2I
import HoistTestSupport
import Testing

/// S2I on the docker backend: the builder, runtime and previous images are the daemon's, the
/// steps run in the daemon's containers, the output lands in the daemon — S2I's fixtures built
/// there as on the native backend.
@Suite("S2I on the docker backend", .serialized, .enabled(if: Interop.isRoot && Interop.dockerAvailable))
struct S2IDockerBackendTests {
    @Test func s2iBuildsWithTheDaemonsImages() async throws {
        let fixture = try await S2IFixture(.docker)
        do {
            try await scenarios(fixture)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    private func scenarios(_ fixture: S2IFixture) async throws {
        let client = fixture.client
        let namespace = fixture.namespace
        let engine = try await EngineClient.connect()
        defer { Task { try? await engine.shutdown() } }

        // Scripts in the image; the output in the daemon, with S2I's labels.
        let scripts = try await fixture.builder("sti-fake-scripts")
        let result = try await client.s2iBuild(fixture.request(scripts, tag: "\(namespace)/out:1"))
        let details = try await engine.inspectImage("\(namespace)/out:1")
        #expect(details.id == result.imageID)
        #expect(details.config?.labels?["testLabel"] == "testLabel_value")
        let listing = try await fixture.runAndList("\(namespace)/out:1")
        for file in ["assemble-invoked", "run-invoked", "Gemfile"] { #expect(listing.contains(file), "\(listing)") }

        // Incremental, with --rm: the previous image is the daemon's, and goes.
        var again = fixture.request(scripts, tag: "\(namespace)/out:1")
        again.incremental = true
        again.removePreviousImage = true
        try Data("changed\n".utf8).write(to: fixture.application.appendingPathComponent("CHANGES"))
        #expect(try await client.s2iBuild(again).incremental)
        #expect(try await fixture.run("\(namespace)/out:1", ["ls", "/sti-fake"], entrypoint: []).standardOutput.contains("save-artifacts-invoked"))
        #expect((try? await engine.inspectImage(result.imageID)) == nil, "the previous image was removed from the daemon")

        // An injection, there for assemble, truncated after.
        let fake = try await fixture.builder("sti-fake")
        let secrets = fixture.directory.appending("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: secrets.appendingPathComponent("secret"))
        var injected = fixture.request(fake, tag: "\(namespace)/injected", scriptsURL: S2IFixture.scriptsURL)
        injected.injections = [S2IPathMapping(source: secrets.path, destination: "/tmp")]
        try await client.s2iBuild(injected)
        #expect(try await fixture.run("\(namespace)/injected", ["ls", "/sti-fake"], entrypoint: []).standardOutput.contains("secret-delivered"))
        #expect(try await fixture.run("\(namespace)/injected", ["stat", "-c", "%s", "/tmp/secret"], entrypoint: []).standardOutput == "0\n")

        // Allowed UIDs, the builder's and the runtime image's.
        let uids = try AllowedUIDs(parsing: "1-")
        var named = fixture.request(try await fixture.builder("sti-fake-user"), tag: "\(namespace)/x", scriptsURL: S2IFixture.scriptsURL)
        named.allowedUIDs = uids
        await #expect(throws: S2IError.self) { try await client.s2iBuild(named) }
        var numeric = fixture.request(try await fixture.builder("sti-fake-numericuser"), tag: "\(namespace)/numeric", scriptsURL: S2IFixture.scriptsURL)
        numeric.allowedUIDs = uids
        try await client.s2iBuild(numeric)
        let runtime = try await fixture.build("\(namespace)/runtime:1", dockerfile: """
            FROM busybox
            WORKDIR /app
            COPY <<'EOF' /usr/libexec/s2i/run
            #!/bin/sh
            cat /app/src/Gemfile
            EOF
            RUN chmod 755 /usr/libexec/s2i/run && mkdir -m 777 /sti-fake
            """)
        numeric.runtimeImage = runtime
        numeric.runtimeArtifacts = [S2IPathMapping(source: "/sti-fake/src", destination: "")]
        let refused = await #expect(throws: S2IError.self) { try await client.s2iBuild(numeric) }
        #expect(refused?.message.contains(runtime) == true, "\(String(describing: refused))")
        numeric.allowedUIDs = nil
        numeric.tag = "\(namespace)/slim"
        numeric.runImage = true
        let events = EventLog()
        try await client.s2iBuild(numeric, progress: events.progress)
        // --scripts-url gives the runtime image its run too, as in S2I: the fixture's, which --run
        // ran (it fails where /sti-fake is not writable).
        #expect(try await engine.inspectImage("\(namespace)/slim").config?.cmd == ["/app/scripts/run"])
        #expect(try await fixture.run("\(namespace)/slim", ["cat", "/app/src/Gemfile"], entrypoint: []).standardOutput == "source 'https://rubygems.org'\n")

        // An ONBUILD builder's triggers, with the source as their context.
        let onbuild = fixture.request(try await fixture.builder("sti-fake-onbuild"), tag: "\(namespace)/onbuilt", scriptsURL: S2IFixture.scriptsURL)
        try await client.s2iBuild(onbuild)
        #expect(try await fixture.run("\(namespace)/onbuilt", ["ls", "/sti-fake/src", "/tmp/src"], entrypoint: []).standardOutput.contains("onbuild"))
    }
}
