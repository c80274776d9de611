import Foundation
import HoistTestSupport
import Testing

/// `hoist build --push` as Docker's (issue 19): the image built, then pushed under its tags to a
/// docker-registry on 127.0.0.1 — and `--output type=image,push=true` / `type=registry` the same
/// way. What arrives is read back by a pull into an empty store and by skopeo.
@Suite("build --push", .serialized, .enabled(if: Interop.isRoot && Interop.available("docker-registry")))
struct BuildPushTests {
    let directory: TemporaryDirectory
    let store: URL
    let context: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = try commandLineStoreWithBusybox(in: directory)
        context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("pushed by build\n".utf8).write(to: context.appendingPathComponent("message"))
        try Data("FROM busybox\nCOPY message /message\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
    }

    private func hoist(_ arguments: String..., root: URL? = nil) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: root ?? store)
    }

    /// The manifest digest the registry holds for `name`, read by skopeo.
    private func registryDigest(_ name: String) throws -> String {
        let text = try ExternalCommand.checked(["skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://\(name)"]).text
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func pushSendsEveryTagOnceBuilt() async throws {
        let registry = try TestRegistry(in: directory.appending("registry"))
        try await registry.explainingFailures {
            let first = "\(registry.host)/built/app:1"
            let second = "\(registry.host)/built/app:latest"
            let built = try hoist("build", "--progress", "plain", "--push", "-t", first, "-t", second, context.path)
            #expect(built.status == 0, "\(built.errorText)")
            // Docker's push lines, one per tag, and the push's transfer in the progress.
            #expect(built.text.split(separator: "\n").map { $0.prefix { $0 != ":" } } == ["1", "latest"], "\(built.text)")
            #expect(built.errorText.contains("total: "), "\(built.errorText)")
            let digest = built.text.split(separator: " ").dropFirst(2).first.map(String.init)
            #expect(try registryDigest(first) == digest, "\(built.text)")
            #expect(try registryDigest(second) == registryDigest(first))
            // Read back into an empty store: the file the build put there.
            let reader = directory.appending("reader")
            #expect(try hoist("pull", "--progress", "quiet", first, root: reader).status == 0)
            let run = try hoist("run", "--rm", "--pull", "never", first, "cat", "/message", root: reader)
            #expect(run.text == "pushed by build\n", "\(run.errorText)")
        }
    }

    @Test func imageOutputsPushTheirNames() async throws {
        let registry = try TestRegistry(in: directory.appending("registry"))
        try await registry.explainingFailures {
            let tag = "\(registry.host)/out/tagged:1"
            let named = "\(registry.host)/out/named:2"
            let built = try hoist("build", "-q", "-t", tag, "--output", "type=image,name=\(named),push=true", context.path)
            #expect(built.status == 0, "\(built.errorText)")
            // -q prints the image ID alone, push or not.
            #expect(built.text.hasPrefix("sha256:") && built.text.split(separator: "\n").count == 1, "\(built.text)")
            #expect(try registryDigest(named).hasPrefix("sha256:"))
            #expect(try hoist("inspect", "--format", "{{.Id}}", named).text == built.text, "the output's name is in the store too")
            // push=false names the image and pushes nothing; type=registry pushes the tags.
            let unpushed = "\(registry.host)/out/unpushed:3"
            #expect(try hoist("build", "-q", "--output", "type=image,name=\(unpushed),push=false", context.path).status == 0)
            #expect(try hoist("inspect", "--format", "{{.Id}}", unpushed).text == built.text)
            #expect(try ExternalCommand.run(["skopeo", "inspect", "--tls-verify=false", "docker://\(unpushed)"]).status != 0)
            let registryTag = "\(registry.host)/out/registry:4"
            #expect(try hoist("build", "-q", "-t", registryTag, "--output", "type=registry", context.path).status == 0)
            #expect(try registryDigest(registryTag) == registryDigest(named))
        }
    }

    /// A push that cannot happen fails before the build: no name, or a name that is not one.
    @Test func aPushWithoutANameFailsBeforeBuilding() throws {
        let before = try hoist("images", "-q", "-a").text
        let unnamed = try hoist("build", "--push", context.path)
        #expect(unnamed.status != 0 && unnamed.errorText.contains("a name is needed to push"), "\(unnamed.errorText)")
        let registry = try hoist("build", "--output", "type=registry", context.path)
        #expect(registry.status != 0 && registry.errorText.contains("a name is needed to push"), "\(registry.errorText)")
        let bad = try hoist("build", "--output", "type=image,name=UPPER/Case,push=true", context.path)
        #expect(bad.status != 0, "\(bad.text)")
        let badPush = try hoist("build", "--output", "type=image,push=maybe", context.path)
        #expect(badPush.status != 0 && badPush.errorText.contains("push=maybe"), "\(badPush.errorText)")
        #expect(try hoist("images", "-q", "-a").text == before, "an image was built")
    }
}
