import Foundation
import Hoist
import HoistTestSupport
import Testing

/// README's first Swift example — build, run, keep, exec, copy in, commit, remove — run as
/// README shows it (after its first line, which opens the default store: here the fixture's).
@Suite("README client example", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct ReadmeClientExampleTests {
    @Test func theReadmeExampleRuns() async throws {
        let fixture = try BusyboxFixture()
        let client = fixture.client
        // README's relative paths are the package's own: `swift test` runs there.
        try #require(FileManager.default.currentDirectoryPath == Interop.packageRoot.path)
        let tarBytes = try ExternalCommand.checked(["tar", "-cf", "-", "-C", Interop.packageRoot.path, "README.md"]).standardOutput
        // README: begin
        try await client.build(BuildOptions(context: URL(fileURLWithPath: "examples/hello"), tags: ["hello"]))
        let run = try await client.image("hello")
            .instantiate(.shell("cat /app/message.txt; exit 3"), .environment(["A": "1"]), .memory(64 << 20))
            .run()
        print(run.exitCode, run.standardOutput, run.standardError)   // logs are kept when the command fails

        let server = client.image("hello").instantiate(.command(["sleep", "600"]), .name("server"))
        try await server.start()                                    // kept; start/wait/kill/remove
        let listing = try await server.exec(["ls", "/app"])
        try await server.copyIn(archive: tarBytes, into: "/tmp")    // tar streams in and out
        let snapshot = try await server.commit(as: "hello:snapshot", changes: ["CMD [\"sh\"]"])
        try await server.remove(force: true)
        // README: end
        #expect(run.exitCode == 3 && run.standardOutput.hasPrefix("hello from a Hoist build"), "\(run.standardOutput)\(run.standardError)")
        #expect(listing.standardOutput == "message.txt\n")
        #expect(snapshot.hasPrefix("sha256:"))
        let copied = try await client.image("hello:snapshot").instantiate(.command(["head", "-c", "6", "/tmp/README.md"])).run()
        #expect(copied.standardOutput == "# Hois")
        let example = try ReadmeExample.check(#filePath)
        #expect(example.shown, "README.md lacks the example as this test runs it:\n\(example.code)")
    }
}
