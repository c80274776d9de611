import Foundation
import Hoist
import HoistBuild
import HoistTestSupport
import Testing

/// Builds written in Swift with ``BuildState``, solved and read without an image, and exported.
@Suite("Build-graph API", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildGraphAPITests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    @Test func multiStageInCodeReadWithoutExportingThenExported() async throws {
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Data("int main;\n".utf8).write(to: context.appendingPathComponent("src/main.c"))
        try Data("ignored\n".utf8).write(to: context.appendingPathComponent("notes.log"))

        let source = BuildState.local("context", exclude: ["*.log"])
        let compiler = BuildState.image("busybox")
            .copy(from: source, "src", to: "/work/src")
            .workdir("/work")
            .env("FLAVOUR", "crunchy")
            .run(["sh", "-c", "ls src > listing && echo \"$FLAVOUR $(cat src/main.c)\" > out && ln -s out latest"],
                 mounts: [.cache(id: "graph-api-cache", destination: "/cache"), .tmpfs(destination: "/scratch")])
        // An intermediate result, read without exporting anything.
        let intermediate = try await fixture.client.solve(compiler, localDirectories: ["context": context])
        #expect(String(decoding: try intermediate.readFile("/work/out"), as: UTF8.self) == "crunchy int main;\n")
        #expect(String(decoding: try intermediate.readFile("/work/out", range: 0..<7), as: UTF8.self) == "crunchy")
        #expect(try intermediate.readDirectory("/work") == ["latest", "listing", "out", "src"])
        #expect(try intermediate.stat("/work/latest").linkTarget == "out")
        #expect(try intermediate.stat("/work/src").kind == .directory)
        #expect(String(decoding: try intermediate.readFile("/work/listing"), as: UTF8.self) == "main.c\n", "the exclude pattern held")
        #expect(throws: ClientError.self) { try intermediate.readFile("/nope") }

        // The final image takes only the output, and runs.
        let app = BuildState.image("busybox")
            .copy(from: compiler, "/work/out", to: "/app/out")
            .mkfile("/app/VERSION", contents: Array("1.0\n".utf8))
            .workdir("/app")
            .with { $0.cmd = ["cat", "out", "VERSION"] }
        let image = try await fixture.client.export(app, tags: ["graph-api:1"], localDirectories: ["context": context])
        #expect(try fixture.client.inspect("graph-api:1").id == image.id)
        let run = try await fixture.client.image("graph-api:1").instantiate().run()
        #expect(run.standardOutput == "crunchy int main;\n1.0\n", "\(run.combined)")
        #expect(try fixture.client.inspect("graph-api:1").config?.workingDir == "/app")

        // Solving again runs nothing new: the same states have the same digests.
        let again = BuildState.image("busybox").copy(from: source, "src", to: "/work/src")
        #expect(again.vertex.digest == BuildState.image("busybox").copy(from: source, "src", to: "/work/src").vertex.digest)
    }

    @Test func mergeRemoveSymlinkAndFailures() async throws {
        let a = BuildState.scratch.mkfile("/a", contents: Array("a\n".utf8))
        let b = BuildState.scratch.mkfile("/b", contents: Array("b\n".utf8)).symlink("b", at: "/link-to-b")
        let merged = BuildState.merge([BuildState.image("busybox"), a, b]).remove("/a")
        let solved = try await fixture.client.solve(merged)
        #expect(String(decoding: try solved.readFile("/b"), as: UTF8.self) == "b\n")
        #expect(try solved.stat("/link-to-b").kind == .symlink)
        #expect(throws: ClientError.self) { try solved.stat("/a") }
        #expect(try solved.readDirectory("/bin").contains("sh"))

        let failing = BuildState.image("busybox").run(["sh", "-c", "echo bad >&2; exit 9"])
        await #expect(throws: (any Error).self) { try await fixture.client.solve(failing) }
    }

    @Test func aDockerfileAndTheSameBuildInCodeHaveOneGraph() async throws {
        let context = fixture.directory.appending("same")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo hi > /x\nRUN cat /x > /y\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let fromDockerfile = try await fixture.client.buildGraphDigest(BuildOptions(context: context))
        let inCode = BuildState.image("busybox").run(["/bin/sh", "-c", "echo hi > /x"]).run(["/bin/sh", "-c", "cat /x > /y"])
        let codeGraph = String(decoding: try JSONEncoder().encode(BuildGraphDocument(inCode.vertex)), as: UTF8.self)
        let fileGraph = String(decoding: try await fixture.client.buildGraph(BuildOptions(context: context)), as: UTF8.self)
        #expect(inCode.vertex.digest == fromDockerfile, "the same build written twice is one graph:\n\(codeGraph)\n\(fileGraph)")

        // And they make the same files.
        try await fixture.client.build(BuildOptions(context: context, tags: ["from-dockerfile"]))
        try await fixture.client.export(inCode, tags: ["from-code"])
        let dockerfileImage = try fixture.client.inspect("from-dockerfile")
        #expect(try fixture.client.inspect("from-code").rootFS.diffIDs == dockerfileImage.rootFS.diffIDs)

        // hoist build --print-graph shows it for tooling.
        let printed = try Interop.hoist(["build", "--print-graph", context.path], root: fixture.client.store.root.url)
        #expect(printed.status == 0, "\(printed.errorText)")
        let document = try #require(try JSONSerialization.jsonObject(with: printed.standardOutput) as? [String: Any])
        #expect(document["target"] as? String == fromDockerfile.description)
        #expect((document["vertices"] as? [[String: Any]])?.count == 3)

        // A RUN that names no network gets the build's default; one that does, its own.
        try Data("FROM busybox\nRUN true\nRUN --network=none true\nRUN --network=host true\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        for (defaultNetwork, expected) in [(NetworkMode.host, ["host", "none", "host"]), (.none, ["none", "none", "host"])] {
            var options = BuildOptions(context: context)
            options.defaultNetwork = defaultNetwork
            let graph = try JSONDecoder().decode(GraphNetworks.self, from: try await fixture.client.buildGraph(options))
            #expect(graph.vertices.compactMap { $0.op.exec?._0.network } == expected, "default \(defaultNetwork)")
        }
    }

    /// The networks of a printed graph's exec vertices.
    private struct GraphNetworks: Decodable {
        struct Vertex: Decodable {
            struct Op: Decodable {
                struct Exec: Decodable {
                    struct Fields: Decodable { let network: String }
                    let _0: Fields
                }
                let exec: Exec?
            }
            let op: Op
        }
        let vertices: [Vertex]
    }
}
