import Foundation
import Hoist
import HoistTestSupport
import Testing

/// The Swift of the `Hoist` DocC catalog (`Sources/Hoist/Hoist.docc`), run here as each article
/// shows it (issue 19): each test's code between its markers must be in the article's Swift
/// blocks, so the documentation compiles and runs in CI and cannot rot.
@Suite("DocC examples", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct DocumentationExampleTests {
    let fixture: BusyboxFixture
    /// What the articles call `client` (their first line opens the default store: here the fixture's).
    var client: Client { fixture.client }

    init() throws {
        fixture = try BusyboxFixture()
        // The articles' relative paths are the package's own: `swift test` runs there.
        try #require(FileManager.default.currentDirectoryPath == Interop.packageRoot.path)
    }

    private func expectShown(_ marker: String, in article: String) throws {
        let example = try ReadmeExample.check(#filePath, marker: marker, document: "Sources/Hoist/Hoist.docc/\(article).md")
        #expect(example.shown, "\(article).md lacks the example as this test runs it:\n\(example.code)")
    }

    @Test func buildingAnImage() async throws {
        let archive = fixture.directory.appending("hello-oci.tar")
        // DocC BuildingAnImage: begin
        var options = BuildOptions(context: URL(fileURLWithPath: "examples/hello"), tags: ["hello:1"])
        options.buildArguments = ["GREETING": "bonjour"]
        options.outputs = [.oci(path: archive.path)]
        options.progress = ProgressReporter { event in
            if case .completed(_, let name, let duration) = event { print(name, duration) }
        }
        let image = try await client.build(options)
        print(image.id, image.size)

        for summary in try await client.images() where summary.repository == "hello" {
            print(summary.repository, summary.tag, summary.id.shortID)
        }
        // DocC BuildingAnImage: end
        #expect(try client.inspect("hello:1").id == image.id)
        #expect(FileManager.default.fileExists(atPath: archive.path))
        let run = try await client.image("hello:1").instantiate().run()
        #expect(run.standardOutput.hasPrefix("bonjour from a Hoist build"), "\(run.combined)")
        try expectShown("DocC BuildingAnImage", in: "BuildingAnImage")
    }

    @Test func runningContainers() async throws {
        // DocC RunningContainers: begin
        let run = try await client.image("busybox")
            .instantiate(.shell("echo out; echo err >&2; exit 3"), .environment(["A": "1"]))
            .run()
        print(run.exitCode, run.standardOutput, run.standardError)  // 3 out err

        let server = client.image("busybox").instantiate(.shell("echo ready; exec sleep 600"), .name("docs-server"))
        try await server.start()
        try await server.waitUntil(.logLine("ready"), timeout: .seconds(30))
        let listing = try await server.exec(["ls", "/"])
        print(listing.standardOutput)
        try await server.remove(force: true)
        // DocC RunningContainers: end
        #expect(run.exitCode == 3 && run.standardOutput == "out\n" && run.standardError == "err\n")
        #expect(listing.standardOutput.contains("bin"))
        #expect(try await client.native.containers().isEmpty)
        try expectShown("DocC RunningContainers", in: "RunningContainers")
    }

    @Test func theBuildGraph() async throws {
        let contextURL = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: contextURL.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Data("echo compiled\n".utf8).write(to: contextURL.appendingPathComponent("src/main.sh"))
        // DocC TheBuildGraph: begin
        let compiled = BuildState.image("busybox")
            .copy(from: .local("context"), "src", to: "/work/src")
            .workdir("/work")
            .run(["sh", "-c", "sh src/main.sh > result"], mounts: [.cache(id: "docs", destination: "/root/.cache")])
        let result = try await client.solve(compiled, localDirectories: ["context": contextURL])
        print(String(decoding: try result.readFile("/work/result"), as: UTF8.self))  // compiled
        print(try result.readDirectory("/work"))  // ["result", "src"]

        let app = BuildState.image("busybox")
            .copy(from: compiled, "/work/result", to: "/app/result")
            .with { $0.cmd = ["cat", "/app/result"] }
        let image = try await client.export(app, tags: ["graph-docs:1"], localDirectories: ["context": contextURL])
        print(image.id)
        // DocC TheBuildGraph: end
        #expect(try result.readDirectory("/work") == ["result", "src"])
        let run = try await client.image("graph-docs:1").instantiate().run()
        #expect(run.standardOutput == "compiled\n", "\(run.combined)")
        try expectShown("DocC TheBuildGraph", in: "TheBuildGraph")
    }
}
