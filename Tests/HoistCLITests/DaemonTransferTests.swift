import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// `hoist push`/`pull` on the docker backend (the daemon moves the image, with Hoist's
/// credentials) and `hoist build --load`, against the dockerd CI starts and a `docker-registry`
/// on 127.0.0.1 (which dockerd reaches without TLS, as it does every loopback registry).
@Suite("Transfers through the Docker daemon", .serialized,
       .enabled(if: Interop.dockerAvailable && Interop.available("docker-registry")))
struct DaemonTransferTests {
    @Test func pushAndPullGoThroughTheDaemonWithHoistsCredentials() async throws {
        let directory = try TemporaryDirectory()
        let registry = try TestRegistry(in: directory.appending("registry"), authentication: .htpasswd(["dora": "pw-daemon"]))
        try await registry.explainingFailures {
            let environment = [
                "HOIST_ROOT": directory.appending("store").path, "DOCKER_CONFIG": directory.appending("docker-config").path,
                "HOIST_BACKEND": "docker",
            ]
            func hoist(_ arguments: String..., input: Data? = nil) throws -> ExternalCommand.Output {
                try ExternalCommand.run([Interop.hoistExecutable] + arguments, input: input, environment: environment)
            }
            let name = "\(registry.host)/daemon/busybox:1"
            let rootfs = directory.appending("rootfs.tar")
            try Interop.makeBusyboxRootfs(at: rootfs)
            try ExternalCommand.checked([Interop.docker, "import", rootfs.path, name])
            defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", name]) }

            let denied = try hoist("push", "--progress", "plain", name)
            #expect(denied.status != 0 && denied.errorText.contains("no basic auth credentials"), "\(denied.errorText)")

            let login = try hoist("login", "-u", "dora", "--password-stdin", registry.host, input: Data("pw-daemon\n".utf8))
            #expect(login.status == 0, "\(login.errorText)")
            let push = try hoist("push", "--progress", "plain", name)
            #expect(push.status == 0, "\(push.errorText)")
            #expect(push.text.hasPrefix("1: digest: sha256:"), "\(push.text)")
            #expect(push.errorText.contains("Pushed"), "the daemon's progress is shown: \(push.errorText)")
            #expect(!push.errorText.contains("pw-daemon"))

            try ExternalCommand.checked([Interop.docker, "rmi", "-f", name])
            let pull = try hoist("pull", "--progress", "plain", name)
            #expect(pull.status == 0, "\(pull.errorText)")
            #expect(pull.text == "\(name)\n", "\(pull.text)")
            let pulled = try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none", name, "echo", "pulled"])
            #expect(pulled.text == "pulled\n", "\(pulled.errorText)")

            let missing = try hoist("pull", "\(registry.host)/daemon/nothing:1")
            #expect(missing.status != 0 && missing.errorText.contains("manifest unknown"), "the daemon's words: \(missing.errorText)")
        }
    }

    /// A base image only a private registry has: the daemon pulls it for the docker worker
    /// with Hoist's credential (`hoist login`), for the build's platform; without one the build
    /// fails in the registry's words.
    @Test func aBuildsBaseImageIsPulledThroughTheDaemonWithHoistsCredentials() async throws {
        let directory = try TemporaryDirectory()
        let registry = try TestRegistry(in: directory.appending("registry"), authentication: .htpasswd(["bea": "pw-base"]))
        try await registry.explainingFailures {
            let environment = [
                "HOIST_ROOT": directory.appending("store").path, "DOCKER_CONFIG": directory.appending("docker-config").path,
                "HOIST_BACKEND": "docker",
            ]
            func hoist(_ arguments: String..., input: Data? = nil) throws -> ExternalCommand.Output {
                try ExternalCommand.run([Interop.hoistExecutable] + arguments, input: input, environment: environment)
            }
            let base = "\(registry.host)/private/base:1"
            let rootfs = directory.appending("rootfs.tar")
            try Interop.makeBusyboxRootfs(at: rootfs)
            try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", rootfs.path, base])
            defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", base]) }
            let login = try hoist("login", "-u", "bea", "--password-stdin", registry.host, input: Data("pw-base\n".utf8))
            #expect(login.status == 0, "\(login.errorText)")
            try #require(try hoist("push", base).status == 0)
            #expect(try hoist("logout", registry.host).status == 0)
            try ExternalCommand.checked([Interop.docker, "rmi", "-f", base])

            let context = directory.appending("context")
            try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
            try Data("FROM \(base)\nCOPY note /note\nRUN cat /note > /seen\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
            try Data("from the registry\n".utf8).write(to: context.appendingPathComponent("note"))
            let tag = uniqueDockerName("private-base")
            defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }

            let denied = try hoist("build", "--progress", "plain", "-t", tag, context.path)
            #expect(denied.status != 0 && denied.errorText.contains("no basic auth credentials"), "the registry's words: \(denied.errorText)")

            #expect(try hoist("login", "-u", "bea", "--password-stdin", registry.host, input: Data("pw-base\n".utf8)).status == 0)
            #if arch(arm64)
                let platform = "linux/arm64"
            #else
                let platform = "linux/amd64"
            #endif
            let built = try hoist("build", "--progress", "plain", "--platform", platform, "-t", tag, context.path)
            #expect(built.status == 0, "\(built.errorText)")
            #expect(!built.errorText.contains("pw-base"))
            let run = try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none", tag, "cat", "/seen"])
            #expect(run.text == "from the registry\n", "\(run.errorText)")
        }
    }

    @Test(.enabled(if: Interop.isRoot && Interop.available("runc")))
    func buildLoadPutsANativeBuildIntoTheDaemon() throws {
        let fixture = try BusyboxFixture()
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo loaded > /loaded\nCMD [\"cat\", \"/loaded\"]\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let tag = uniqueDockerName("load")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        let identifier = fixture.directory.appending("iid")
        let build = try Interop.hoist(
            ["build", "--load", "-q", "--iidfile", identifier.path, "-t", tag, context.path], root: fixture.directory.appending("store"))
        #expect(build.status == 0, "\(build.errorText)")
        let id = try String(contentsOf: identifier, encoding: .utf8)
        let inDaemon = try ExternalCommand.checked([Interop.docker, "image", "inspect", "--format", "{{.Id}}", tag]).text
        #expect(inDaemon == id + "\n", "the daemon holds the very image")
        let run = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", tag])
        #expect(run.text == "loaded\n")
    }
}
