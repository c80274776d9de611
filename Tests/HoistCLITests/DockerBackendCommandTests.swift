import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// The container commands with `--backend docker` (and `HOIST_BACKEND`), against the dockerd
/// CI starts.
@Suite("hoist container commands on the docker backend", .serialized, .enabled(if: Interop.dockerAvailable))
struct DockerBackendCommandTests {
    @Test func runPsExecKillWaitLogsCommitRm() throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        let image = "hoist-cli-docker-\(UUID().uuidString.prefix(8).lowercased())"
        let name = image + "-c"
        try ExternalCommand.checked([Interop.docker, "import", rootfs.path, image])
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image, image + ":committed"])
        }
        func hoist(_ arguments: String...) throws -> ExternalCommand.Output {
            try Interop.hoist(Array(arguments), root: store)
        }

        let run = try hoist("run", "--backend", "docker", "--rm", image, "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(run.status == 3 && run.text == "out\n" && run.errorText == "err\n", "\(run.errorText)")

        let started = try hoist("run", "--backend", "docker", "-d", "--name", name, image, "sleep", "1000")
        #expect(started.status == 0, "\(started.errorText)")
        // The container is the daemon's: docker sees it.
        #expect(try ExternalCommand.checked([Interop.docker, "inspect", "-f", "{{.State.Running}}", name]).text == "true\n")
        let environment = ["HOIST_ROOT": store.path, "HOIST_BACKEND": "docker"]
        let ps = try ExternalCommand.run([Interop.hoistExecutable, "ps", "--format", "{{.Names}} {{.State}}"], environment: environment)
        #expect(ps.text.contains("\(name) running"), "\(ps.text) \(ps.errorText)")
        let exec = try ExternalCommand.run([Interop.hoistExecutable, "exec", name, "sh", "-c", "echo inside; exit 4"], environment: environment)
        #expect(exec.status == 4 && exec.text == "inside\n")
        #expect(try hoist("kill", "--backend", "docker", name).status == 0)
        #expect(try hoist("wait", "--backend", "docker", name).text == "137\n")
        let committed = try hoist("commit", "--backend", "docker", name, image + ":committed")
        #expect(committed.status == 0 && committed.text.hasPrefix("sha256:"), "\(committed.errorText)")
        #expect(try hoist("rm", "--backend", "docker", name).status == 0)
        #expect(try ExternalCommand.run([Interop.docker, "inspect", name]).status != 0)

        let missing = try hoist("run", "--backend", "docker", "--rm", "no-such-image-\(UUID().uuidString.lowercased())", "true")
        #expect(missing.status == 1 && missing.errorText.contains("No such image"), "\(missing.errorText)")
        let unknown = try hoist("ps", "--backend", "nosuch")
        #expect(unknown.status != 0 && unknown.errorText.contains("unknown backend"))
    }

    @Test func delegatedBuildsAndTheImageAPI() async throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        let base = "hoist-delegate-base-\(UUID().uuidString.prefix(8).lowercased())"
        let built = base + "-built"
        let viaAPI = base + "-api"
        try ExternalCommand.checked([Interop.docker, "import", rootfs.path, base])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", built, viaAPI, base]) }

        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("from the context\n".utf8).write(to: context.appendingPathComponent("file.txt"))
        let dockerfile = directory.appending("elsewhere.Dockerfile")
        try Data("FROM \(base)\nARG WORD\nCOPY file.txt /file.txt\nRUN echo $WORD >> /file.txt\nCMD [\"cat\", \"/file.txt\"]\n".utf8).write(to: dockerfile)
        let build = try Interop.hoist(
            ["build", "--backend", "docker", "--delegate", "-f", dockerfile.path, "--build-arg", "WORD=delegated", "-t", built, context.path],
            root: store)
        #expect(build.status == 0 && build.text.hasPrefix("sha256:"), "\(build.errorText)")
        let run = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", built])
        #expect(run.text == "from the context\ndelegated\n")

        let refused = try Interop.hoist(["build", "--backend", "docker", "-t", built, context.path], root: store)
        #expect(refused.status != 0 && refused.errorText.contains("--delegate"))
        let failing = try Interop.hoist(["build", "--backend", "docker", "--delegate", "-f", dockerfile.path, "-t", built, directory.appending("nope").path], root: store)
        #expect(failing.status != 0)

        // The image API builds through the daemon too.
        let client = try Client(root: StoreRoot(store), backend: .docker)
        let image = try await client.image(viaAPI, .build(.dockerfile("FROM \(base)\nRUN echo api > /api.txt")))
        let output = try await image.instantiate(.command(["cat", "/api.txt"])).run()
        #expect(output.standardOutput == "api\n")
    }
}
