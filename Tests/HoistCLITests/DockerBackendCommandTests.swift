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
        let scene = try DaemonScene("hoist-cli-docker")
        let (store, image) = (scene.store, scene.image)
        let name = image + "-c"
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

        // `--pull never`: a pull would ask Docker Hub, and tests reach no address but loopback.
        let missing = try hoist("run", "--backend", "docker", "--rm", "--pull", "never", "no-such-image-\(UUID().uuidString.lowercased())", "true")
        #expect(missing.status == 125 && missing.errorText.lowercased().contains("no such image"), "docker run exits 125 here: \(missing.errorText)")
        let unknown = try hoist("ps", "--backend", "nosuch")
        #expect(unknown.status != 0 && unknown.errorText.contains("unknown backend"))
    }

    /// `run --rm` through the daemon: in the foreground the exit code survives the daemon's own
    /// removal; with `-d` the daemon removes the container when it ends, as `docker run -d --rm`.
    @Test func removedContainersGoAfterTheyEnd() throws {
        let scene = try DaemonScene("hoist-rm-docker")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", scene.image]) }
        for _ in 0..<3 {
            let foreground = try scene.hoist("run", "--rm", scene.image, "sh", "-c", "echo out; exit 5")
            #expect(foreground.status == 5 && foreground.text == "out\n", "\(foreground.errorText)")
        }
        let name = scene.image + "-detached"
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name]) }
        let started = try scene.hoist("run", "-d", "--rm", "--name", name, scene.image, "sh", "-c", "sleep 1")
        #expect(started.status == 0, "\(started.errorText)")
        #expect(try ExternalCommand.checked([Interop.docker, "inspect", "-f", "{{.HostConfig.AutoRemove}}", name]).text == "true\n")
        var gone = false
        for _ in 0..<100 where !gone {
            Thread.sleep(forTimeInterval: 0.1)
            gone = try ExternalCommand.run([Interop.docker, "inspect", name]).status != 0
        }
        #expect(gone, "the daemon removed it once it ended")
        #expect(try ExternalCommand.checked([Interop.docker, "ps", "-a", "-q", "--filter", "name=\(name)"]).text.isEmpty)
    }

    @Test func standardInputAndCopiesInAndOut() throws {
        let scene = try DaemonScene("hoist-cp-docker")
        let (directory, image) = (scene.directory, scene.image)
        let box = image + "-box"
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", box])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }

        let piped = try scene.hoist("run", "--rm", "-i", image, "sh", "-c", "cat; echo done", input: Data("from stdin\n".utf8))
        #expect(piped.status == 0 && piped.text == "from stdin\ndone\n", "\(piped.text) \(piped.errorText)")

        let source = directory.appending("src")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try Data("from host\n".utf8).write(to: source.appendingPathComponent("f.txt"))
        #expect(try scene.hoist("create", "--name", box, image, "cat", "/srv/f.txt", "/tmp/src/f.txt").status == 0)
        let refused = try scene.hoist("cp", source.path, "\(box):/srv/")
        #expect(refused.status == 1 && refused.errorText.contains("no such directory"), "\(refused.errorText)")
        // To a path that does not exist: copied as it; into a directory that does: under its own name.
        #expect(try scene.hoist("cp", source.path, "\(box):/srv").status == 0)
        #expect(try scene.hoist("cp", source.path, "\(box):/tmp").status == 0)
        #expect(try scene.hoist("start", box).status == 0)
        #expect(try scene.hoist("wait", box).text == "0\n")
        #expect(try scene.hoist("logs", box).text == "from host\nfrom host\n")

        let out = directory.appending("out")
        let copiedOut = try scene.hoist("cp", "\(box):/tmp/src/f.txt", out.path)
        #expect(copiedOut.status == 0, "\(copiedOut.errorText)")
        #expect((try? String(contentsOf: out, encoding: .utf8)) == "from host\n")
        let tree = directory.appending("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        #expect(try scene.hoist("cp", "\(box):/tmp/src", tree.path).status == 0)
        #expect((try? String(contentsOf: tree.appendingPathComponent("src/f.txt"), encoding: .utf8)) == "from host\n")
        let missing = try scene.hoist("cp", "\(box):/no/such", directory.appending("x").path)
        #expect(missing.status == 1 && missing.errorText.contains("Could not find the file /no/such"), "the daemon's words: \(missing.errorText)")
    }

    @Test func saveAndPruneWithFilters() throws {
        let scene = try DaemonScene("hoist-prune")
        let (directory, kept) = (scene.directory, scene.image)
        let marker = UUID().uuidString.prefix(8).lowercased()
        let labelled = kept + "-labelled"
        try ExternalCommand.checked([Interop.docker, "import", "-c", "LABEL hoist.prune=\(marker)", scene.rootfs.path, labelled])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", labelled, kept]) }

        let archive = directory.appending("saved.tar")
        let save = try scene.hoist("save", "-o", archive.path, kept)
        #expect(save.status == 0, "\(save.errorText)")
        let listing = try ExternalCommand.checked(["tar", "-tf", archive.path]).text
        #expect(listing.contains("manifest.json"), "\(listing)")
        let oci = try scene.hoist("save", "--format", "oci", "-o", directory.appending("oci.tar").path, kept)
        #expect(oci.status != 0 && oci.errorText.contains("Docker archives only"), "\(oci.errorText)")

        let refused = try scene.hoist("prune", "-a", "-f", "--filter", "nosuch=1")
        #expect(refused.status != 0 && refused.errorText.contains("Invalid filter 'nosuch'"), "the daemon's words: \(refused.errorText)")
        let prune = try scene.hoist("prune", "-a", "-f", "--filter", "label=hoist.prune=\(marker)")
        #expect(prune.status == 0 && prune.text.contains("untagged: \(labelled):latest"), "\(prune.text) \(prune.errorText)")
        #expect(try ExternalCommand.run([Interop.docker, "image", "inspect", labelled]).status != 0)
        #expect(try ExternalCommand.run([Interop.docker, "image", "inspect", kept]).status == 0)
    }

    @Test(.enabled(if: Interop.available("python3")))
    func anEngineReachedOverTCP() throws {
        let scene = try DaemonScene("hoist-tcp")
        let built = scene.image + "-built"
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", built, scene.image]) }
        let forwarder = try DockerTCPForwarder(in: scene.directory.url)
        let remote = ["DOCKER_HOST": forwarder.dockerHost]

        // Attached over TCP, input and all.
        let piped = try scene.hoist(
            "run", "--rm", "-i", scene.image, "sh", "-c", "cat; echo over tcp", input: Data("in\n".utf8), environment: remote)
        #expect(piped.status == 0 && piped.text == "in\nover tcp\n", "\(piped.text) \(piped.errorText)")

        let context = scene.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        let dockerfile = context.appendingPathComponent("Dockerfile")
        try Data("FROM \(scene.image)\nRUN echo built > /built\n".utf8).write(to: dockerfile)
        let build = try scene.hoist("build", "-t", built, context.path, environment: remote)
        #expect(build.status == 0, "\(build.errorText)")
        #expect(try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", built, "cat", "/built"]).text == "built\n")

        // An engine elsewhere cannot see this machine's directories: said before anything runs.
        try Data("FROM \(scene.image)\nRUN --mount=type=bind,target=/ctx cat /ctx/Dockerfile\n".utf8).write(to: dockerfile)
        let mounted = try scene.hoist("build", "-t", built, context.path, environment: remote)
        #expect(mounted.status == 1 && mounted.errorText.contains("RUN --mount=type=bind shows this machine's files"), "\(mounted.errorText)")
    }

    @Test func delegatedBuildsAndTheImageAPI() async throws {
        let scene = try DaemonScene("hoist-delegate-base")
        let (directory, store, base) = (scene.directory, scene.store, scene.image)
        let built = base + "-built"
        let viaAPI = base + "-api"
        let viaWorker = base + "-worker"
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", built, viaAPI, viaWorker, base]) }

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

        // Without --delegate, Hoist's engine builds, with the daemon as its worker.
        let worker = try Interop.hoist(
            ["build", "--backend", "docker", "-f", dockerfile.path, "--build-arg", "WORD=worker", "-t", viaWorker, context.path], root: store)
        #expect(worker.status == 0, "\(worker.errorText)")
        let workerRun = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", viaWorker])
        #expect(workerRun.text == "from the context\nworker\n")
        let failing = try Interop.hoist(["build", "--backend", "docker", "--delegate", "-f", dockerfile.path, "-t", built, directory.appending("nope").path], root: store)
        #expect(failing.status != 0)

        // The image API builds through the daemon too.
        let client = try Client(root: StoreRoot(store), backend: .docker)
        let image = try await client.image(viaAPI, .build(.dockerfile("FROM \(base)\nRUN echo api > /api.txt")))
        let output = try await image.instantiate(.command(["cat", "/api.txt"])).run()
        #expect(output.standardOutput == "api\n")
    }
}

/// A temporary directory with a Hoist store, and a busybox image imported into the daemon under
/// a name of its own (the test removes it).
struct DaemonScene {
    let directory: TemporaryDirectory
    let store: URL
    let rootfs: URL
    let image: String

    init(_ prefix: String) throws {
        directory = try TemporaryDirectory()
        store = directory.appending("store")
        rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        image = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try ExternalCommand.checked([Interop.docker, "import", rootfs.path, image])
    }

    /// Runs `hoist` on the docker backend (`HOIST_BACKEND`) and the scene's store.
    func hoist(_ arguments: String..., input: Data? = nil, environment: [String: String] = [:]) throws -> ExternalCommand.Output {
        try ExternalCommand.run(
            [Interop.hoistExecutable] + arguments, input: input,
            environment: environment.merging(["HOIST_ROOT": store.path, "HOIST_BACKEND": "docker"]) { $1 })
    }
}
