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

        // SSH agents and secrets as variables: the same mounts, and SSH_AUTH_SOCK, either way.
        try Data("FROM busybox\nRUN --mount=type=ssh --mount=type=secret,id=t,env=T true\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let agents = BuildState.image("busybox").run(["/bin/sh", "-c", "true"], mounts: [.ssh(), .secretVariable(id: "t", name: "T", required: false)])
        #expect(agents.vertex.digest == (try await fixture.client.buildGraphDigest(BuildOptions(context: context))))

        // A RUN that names no network gets the build's default; one that does, its own.
        try Data("FROM busybox\nRUN true\nRUN --network=none true\nRUN --network=host true\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        for (defaultNetwork, expected) in [(NetworkMode.host, ["host", "none", "host"]), (.none, ["none", "none", "host"])] {
            var options = BuildOptions(context: context)
            options.defaultNetwork = defaultNetwork
            options.allowHostNetwork = true  // RUN --network=host, as --allow network.host
            let graph = try JSONDecoder().decode(GraphNetworks.self, from: try await fixture.client.buildGraph(options))
            #expect(graph.vertices.compactMap { $0.op.exec?._0.network } == expected, "default \(defaultNetwork)")
        }
    }

    @Test func aMultiStageDockerfileAndTheSameBuildInCodeAreOneGraphAndOneImage() async throws {
        let context = fixture.directory.appending("multi")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("""
            FROM busybox AS build
            WORKDIR /src
            ENV MODE=fast
            RUN --mount=type=cache,target=/cache --mount=type=tmpfs,target=/scratch echo "$MODE" > out && date > /scratch/t && echo $MODE > /cache/last
            FROM busybox
            COPY --from=build /src/out /app/out
            RUN --mount=type=bind,from=build,source=/src,target=/mnt cat /mnt/out /mnt/out > /app/twice
            LABEL org.example.kind=demo
            ENV GREETING=hi
            WORKDIR /app
            CMD ["cat", "twice"]

            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))

        let build = BuildState.image("busybox")
            .workdir("/src")
            .env("MODE", "fast")
            .run(["/bin/sh", "-c", "echo \"$MODE\" > out && date > /scratch/t && echo $MODE > /cache/last"],
                 mounts: [.cache(id: "/cache", destination: "/cache"), .tmpfs(destination: "/scratch")])
        let app = BuildState.image("busybox")
            .copy(from: build, "/src/out", to: "/app/out")
            .run(["/bin/sh", "-c", "cat /mnt/out /mnt/out > /app/twice"], mounts: [.bind(from: build, source: "/src", destination: "/mnt")])
            .with { $0.labels = ["org.example.kind": "demo"] }
            .env("GREETING", "hi")
            .workdir("/app")
            .with { $0.cmd = ["cat", "twice"] }

        // One graph: every vertex has the same digest, whichever way the build was written.
        let options = BuildOptions(context: context)
        let fileGraph = try JSONDecoder().decode(GraphDigests.self, from: try await fixture.client.buildGraph(options))
        let codeJSON = try JSONEncoder().encode(BuildGraphDocument(app.vertex))
        let codeGraph = try JSONDecoder().decode(GraphDigests.self, from: codeJSON)
        #expect(codeGraph.target == fileGraph.target)
        #expect(codeGraph.vertices.map(\.digest) == fileGraph.vertices.map(\.digest), "\(String(decoding: codeJSON, as: UTF8.self))")
        #expect(try await fixture.client.buildState(options).vertex == app.vertex)

        // One image: the same layers and the same settings.
        try await fixture.client.build(BuildOptions(context: context, tags: ["multi:dockerfile"]))
        try await fixture.client.export(app, tags: ["multi:code"])
        let fromDockerfile = try fixture.client.inspect("multi:dockerfile")
        let fromCode = try fixture.client.inspect("multi:code")
        #expect(fromCode.rootFS.diffIDs == fromDockerfile.rootFS.diffIDs)
        #expect(fromCode.config == fromDockerfile.config)
        let run = try await fixture.client.image("multi:code").instantiate().run()
        #expect(run.standardOutput == "fast\nfast\n", "\(run.combined)")
    }

    /// The digests of a printed graph.
    private struct GraphDigests: Decodable {
        struct Vertex: Decodable { let digest: String }
        let target: String
        let vertices: [Vertex]
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
