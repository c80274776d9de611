import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Synchronization
import Testing

@testable import hoist

/// A frontend written here, against `import Hoist` only, that uses the build's gateway as
/// BuildKit's frontends use theirs (issue 21): it solves its context, reads files from it, pins
/// its base image to the digest it resolves, and returns a different graph depending on what a
/// file says — built through the API and through `hoist build` with `# syntax=`.
@Suite("Gateway frontends", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct GatewayFrontendTests {
    let fixture: BusyboxFixture
    let context: URL
    let name = "test/mode-\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        fixture = try BusyboxFixture()
        context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("hello world\n".utf8).write(to: context.appendingPathComponent("greeting.txt"))
        try Data("not read\n".utf8).write(to: context.appendingPathComponent("skipped.txt"))
    }

    /// Builds what `/mode` in the context asks: `copy` copies the greeting in, `run` writes a
    /// file made of a slice of the greeting and the context's listing. The base is busybox
    /// pinned to the digest the gateway resolved.
    struct ModeFrontend: BuildFrontend {
        func graph(_ request: FrontendRequest) async throws -> BuildState {
            guard let gateway = request.gateway else { throw ClientError(.failedPrecondition, "the build offered no gateway") }
            let context = try await gateway.solve(.local("context"))
            let mode = String(decoding: try context.readFile("/mode", offset: 0, length: nil), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let word = String(decoding: try context.readFile("/greeting.txt", offset: 6, length: 5), as: UTF8.self)
            let listed = try context.entries(in: "/", include: ["*.txt", "mode"], exclude: ["skip*"])
            guard try context.stat("/greeting.txt").size == 12, listed.allSatisfy({ $0.kind == .regular }) else {
                throw ClientError(.failedPrecondition, "unexpected context: \(listed)")
            }
            let base = try await gateway.resolveImageConfig("busybox", platform: nil)
            gateway.warn(BuildWarning(rule: "PinnedBase", message: "busybox is \(base.digest)"))
            let root = BuildState.image(base.pinnedReference)
            switch mode {
            case "copy":
                return root.copy(from: .local("context"), "greeting.txt", to: "/out").with { $0.cmd = ["cat", "/out"] }
            case "run":
                let names = listed.map(\.name).joined(separator: ",")
                return root.run(["sh", "-c", "echo \(word) from \(names) > /out"]).with { $0.cmd = ["cat", "/out"] }
            default:
                throw ClientError(.invalidArgument, "mode \(mode): use copy or run")
            }
        }
    }

    private func writeDefinition(mode: String) throws {
        try Data("# syntax=\(name)\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try Data("\(mode)\n".utf8).write(to: context.appendingPathComponent("mode"))
    }

    private func output(of image: String) async throws -> String {
        try await fixture.client.image(image).instantiate().run().standardOutput
    }

    @Test func aFrontendSolvesReadsPinsAndDecidesThroughTheAPI() async throws {
        FrontendRegistry.register(ModeFrontend(), as: name)
        defer { FrontendRegistry.unregister(name) }
        let busybox = try await fixture.client.resolveImage("busybox")

        try writeDefinition(mode: "run")
        let warnings = WarningLog()
        let options = BuildOptions(context: context, tags: ["mode:run"], progress: warnings.reporter)
        try await fixture.client.build(options)
        #expect(try await output(of: "mode:run") == "world from greeting.txt,mode\n")
        #expect(warnings.messages.contains("busybox is \(busybox.digest)"), "\(warnings.messages)")

        // The graph's base is the pinned image, not the tag.
        let state = try await fixture.client.buildState(options)
        let sources = state.vertex.topologicallySorted.compactMap { vertex -> String? in
            if case .source(.image(let reference, _)) = vertex.op { return reference }
            return nil
        }
        #expect(sources == ["docker.io/library/busybox@\(busybox.digest)"])

        try writeDefinition(mode: "copy")
        try await fixture.client.build(BuildOptions(context: context, tags: ["mode:copy"]))
        #expect(try await output(of: "mode:copy") == "hello world\n")

        try writeDefinition(mode: "other")
        await #expect {
            try await fixture.client.build(BuildOptions(context: context))
        } throws: { error in
            (error as? any HoistError)?.code == .invalidArgument
        }
    }

    @Test func theSameFrontendThroughHoistBuild() async throws {
        FrontendRegistry.register(ModeFrontend(), as: name)
        defer { FrontendRegistry.unregister(name) }
        try writeDefinition(mode: "copy")
        let root = fixture.client.store.root.url.path
        var command = try BuildCommand.parse(["--root", root, "--progress", "quiet", "-t", "cli:copy", context.path])
        try await command.run()
        #expect(try await output(of: "cli:copy") == "hello world\n")
        try writeDefinition(mode: "run")
        command = try BuildCommand.parse(["--root", root, "--progress", "quiet", "-t", "cli:run", context.path])
        try await command.run()
        #expect(try await output(of: "cli:run") == "world from greeting.txt,mode\n")
    }

    @Test func resolvedImagesCarryTheirDigestAndBytesAndResultsTheirFilesStatus() async throws {
        let busybox = try await fixture.client.resolveImage("busybox")
        #expect(Digest(of: Array(busybox.rawConfig)) == (try fixture.client.inspect("busybox").id))
        #expect(Digest(of: Array(busybox.rawManifest)) == busybox.digest)
        #expect(busybox.config.config?.cmd == ["sh"])
        // A pinned reference names the image in the store.
        #expect(try await fixture.client.resolveImage(busybox.pinnedReference, policy: .never).digest == busybox.digest)

        let solved = try await fixture.client.solve(BuildState.image("busybox").run([
            "sh", "-c", "mknod /null-device c 1 3 && printf 0123456789 > /digits && touch -d '2023-11-14 22:13:20' /digits",
        ]))
        let device = try solved.stat("/null-device")
        #expect(device.kind == .other && device.device?.major == 1 && device.device?.minor == 3, "\(device)")
        let digits = try solved.stat("/digits")
        #expect(digits.modificationTime == Date(timeIntervalSince1970: 1_700_000_000), "\(digits)")
        #expect(try solved.readFile("/digits", offset: 3, length: 4) == Data("3456".utf8))
        #expect(try solved.readFile("/digits", offset: 8, length: 10) == Data("89".utf8))
        #expect(try solved.readFile("/digits", range: 2..<4) == Data("23".utf8))
        let entries = try solved.entries(in: "/", include: ["d*", "null-*"], exclude: ["dev"])
        #expect(entries.map(\.name) == ["digits", "null-device"])
        #expect(entries.first?.size == 10)
    }
}

/// The warnings a build reported.
private final class WarningLog: Sendable {
    private let kept = Mutex<[String]>([])

    var reporter: ProgressReporter {
        ProgressReporter { event in
            if case .warning(let warning) = event { self.kept.withLock { $0.append(warning.message) } }
        }
    }

    var messages: [String] { kept.withLock { $0 } }
}
