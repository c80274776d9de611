import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Testing

/// Frontends: one a test registers and a Dockerfile's `# syntax=` selects, the built-in one's
/// warnings, and what an unknown `# syntax=` does.
@Suite("Build frontends", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildFrontendTests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    /// A frontend whose "Dockerfile" is a greeting: each line after `# syntax=` becomes a line of
    /// /greeting, `$NAME` replaced by the build argument; the image prints it.
    struct GreetingFrontend: BuildFrontend {
        func graph(_ request: FrontendRequest) async throws -> BuildState {
            let base = try await request.images.resolve("busybox", platform: nil).config
            guard base.config?.cmd == ["sh"] else { throw ClientError(.failedPrecondition, "the base image is not the fixture's") }
            let body = request.definition.split(separator: "\n").dropFirst()
                .map { $0.replacingOccurrences(of: "$NAME", with: request.buildArguments["NAME"] ?? "nobody") + "\n" }.joined()
            return BuildState.image("busybox")
                .mkfile("/greeting", contents: Array(body.utf8))
                .run(["sh", "-c", "wc -l < /greeting > /lines"])
                .with { $0.cmd = ["cat", "/greeting", "/lines"] }
                .warning(BuildWarning(rule: "Greeting", message: "greeted", file: request.fileName, line: 2, column: 1))
        }
    }

    @Test func aRegisteredFrontendNamedBySyntaxBuildsTheImage() async throws {
        let name = "test/greeting-\(UUID().uuidString.prefix(8).lowercased())"
        FrontendRegistry.register(GreetingFrontend(), as: name)
        defer { FrontendRegistry.unregister(name) }
        let context = fixture.directory.appending("greeting")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        // Not a Dockerfile at all: only the frontend reads past the syntax line.
        try Data("# syntax=\(name)\nhello $NAME\nfrom a frontend of our own\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))

        let options = BuildOptions(context: context, tags: ["greeting:1"], buildArguments: ["NAME": "swift"])
        let state = try await fixture.client.buildState(options)
        #expect(state.warnings.map(\.description) == ["Dockerfile:2:1: Greeting: greeted"])
        try await fixture.client.build(options)
        let run = try await fixture.client.image("greeting:1").instantiate().run()
        #expect(run.standardOutput == "hello swift\nfrom a frontend of our own\n2\n", "\(run.combined)")

        // Unregistered, the name is unknown: the built-in frontend reads it, and fails on line 2.
        FrontendRegistry.unregister(name)
        await #expect(throws: (any Error).self) { try await fixture.client.build(options) }
    }

    @Test func anUnknownSyntaxIsBuiltByTheDockerfileFrontendWithALocatedWarning() async throws {
        let context = fixture.directory.appending("unknown")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("# syntax=example.com/frontends/other:2\nFROM busybox as base\nENV GREETING=$UNSET\nRUN echo > /x\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let state = try await fixture.client.buildState(BuildOptions(context: context))
        let solved = try await fixture.client.solve(state, localDirectories: ["context": context])
        #expect(try solved.readDirectory("/", include: ["x", "e*"]) == ["etc", "x"])
        let warnings = solved.warnings.map(\.description)
        #expect(warnings.contains("Dockerfile:1:1: UnknownSyntax: no frontend is registered as example.com/frontends/other:2: built with the built-in Dockerfile frontend"), "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("Dockerfile:2:") && $0.contains("FromAsCasing") }, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("Dockerfile:3:") && $0.contains("UndefinedVar") }, "\(warnings)")

        // Docker's own frontend image is what the built-in one is: no word about it.
        try Data("# syntax=docker/dockerfile:1\nFROM busybox\nRUN true\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        #expect(try await fixture.client.buildState(BuildOptions(context: context)).warnings.isEmpty)

        // `# check=error=true` makes a warning fail the build, naming it.
        try Data("# check=error=true\nFROM busybox as base\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        await #expect {
            try await fixture.client.build(BuildOptions(context: context))
        } throws: { error in
            "\(error)".contains("Dockerfile:2:") && "\(error)".contains("FromAsCasing")
        }
    }

    @Test func imageConfigsResolvePlatformsCarryToTheImageAndExportsReachOutputs() async throws {
        let config = try await fixture.client.resolveImageConfig("busybox")
        #expect(config.config?.cmd == ["sh"])
        await #expect {
            _ = try await fixture.client.resolveImageConfig("no-such-image:1", policy: .never)
        } throws: { error in
            (error as? any HoistError)?.code == .notFound
        }
        let arm = Platform(os: "linux", architecture: "arm64", variant: "v8")
        let state = BuildState.scratch.mkfile("/f", contents: [1]).with(platform: arm)
        try await fixture.client.export(state, tags: ["platformed:1"])
        let details = try fixture.client.inspect("platformed:1")
        #expect(details.architecture == "arm64" && details.variant == "v8")

        // An export goes to the build engine's outputs too.
        let files = fixture.directory.appending("exported-files")
        let layout = fixture.directory.appending("exported.oci.tar")
        try await fixture.client.export(
            BuildState.image("busybox").mkfile("/hello", contents: Array("hi\n".utf8)), tags: ["outputs:1"],
            outputs: [.local(directory: files.path), .oci(path: layout.path)])
        #expect(FileManager.default.contents(atPath: files.appendingPathComponent("hello").path) == Data("hi\n".utf8))
        #expect(FileManager.default.fileExists(atPath: files.appendingPathComponent("bin/sh").path))
        let listing = try ExternalCommand.checked(["tar", "-tf", layout.path]).text
        #expect(listing.contains("index.json") && listing.contains("blobs/sha256/"), "\(listing)")
        let pinned = BuildState.image("busybox").with(platform: Platform(os: "linux", architecture: "amd64"))
        #expect(pinned.vertex != BuildState.image("busybox").vertex, "the image source asks for the platform")
    }
}
