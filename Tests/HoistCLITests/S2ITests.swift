import Foundation
import Hoist
import HoistBuild
import HoistS2I
import HoistStore
import HoistTestSupport
import Testing

/// `hoist s2i build` with S2I's own test builder images (../shared/conformance/source-to-image),
/// built offline on a busybox base, through real runc/crun.
@Suite("Source-to-image builds", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct S2ITests {
    let directory: TemporaryDirectory
    let store: URL
    let client: Client
    /// An application source with a Gemfile, as S2I's tests use.
    let application: URL
    static let fixtures = Interop.conformance("source-to-image")

    init() async throws {
        directory = try TemporaryDirectory()
        store = directory.appending("store")
        client = try Client(root: StoreRoot(store))
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try client.importImage(rootfs: rootfs, as: "busybox", changes: ["CMD [\"sh\"]"])
        application = directory.appending("app")
        try FileManager.default.createDirectory(at: application, withIntermediateDirectories: true)
        try Data("source 'https://rubygems.org'\n".utf8).write(to: application.appendingPathComponent("Gemfile"))
        // Upstream's busybox has no /usr/bin and has adduser; Debian's busybox-static lacks the
        // applet, so a small stand-in writes the passwd and group lines the images need.
        try await build("busybox", dockerfile: """
            FROM busybox
            RUN rmdir /usr/bin
            COPY <<'EOF' /bin/adduser
            #!/bin/sh
            uid=1000 home= shell=/bin/sh
            while [ $# -gt 1 ]; do case "$1" in -u) uid=$2; shift 2;; -h) home=$2; shift 2;; -s) shell=$2; shift 2;; *) shift;; esac; done
            name=$1; home=${home:-/home/$name}
            echo "$name:x:$uid:$uid::$home:/bin/sh" >> /etc/passwd
            echo "$name:x:$uid:" >> /etc/group
            mkdir -p "$home" && chown "$uid:$uid" "$home"
            EOF
            RUN chmod 755 /bin/adduser
            """)
        for name in ["sti-fake", "sti-fake-scripts", "sti-fake-user", "sti-fake-numericuser", "sti-fake-assemble-root",
                     "sti-fake-onbuild-rootuser"] {
            try buildBuilder(name)
        }
    }

    private func build(_ tag: String, dockerfile: String) async throws {
        let context = directory.appending("context-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try await client.build(BuildOptions(context: context, tags: [tag]))
    }

    /// Builds images/NAME with a copy of scripts/ inside its context, as upstream does.
    private func buildBuilder(_ name: String) throws {
        let context = directory.appending("builder-\(name)")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("images/\(name)"), to: context)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("scripts"), to: context.appendingPathComponent("scripts"))
        try Interop.hoist(["build", "-q", "-t", "sti_test/\(name)", context.path], root: store).checkedStatus()
    }

    /// Runs the image's command (the run script), then lists what S2I's tests look for.
    private func runAndList(_ image: String) async throws -> String {
        let details = try client.inspect(image)
        let run = try await client.image(image).instantiate(
            .entrypoint(["/bin/sh", "-c", "\"$@\" && ls /sti-fake /sti-fake/src", "run"]), .command(details.config?.cmd ?? [])
        ).run()
        #expect(run.exitCode == 0, "\(run.combined)")
        return run.standardOutput
    }

    @Test func scriptsInTheImage() async throws {
        let image = try #require(try await client.s2iBuild(S2IRequest(source: application, builderImage: "sti_test/sti-fake-scripts", tag: "out:1")))
        let listing = try await runAndList("out:1")
        for file in ["assemble-invoked", "run-invoked", "Gemfile"] { #expect(listing.contains(file), "\(listing)") }
        let details = try client.inspect("out:1")
        #expect(details.id == image.id)
        #expect(details.config?.labels?["testLabel"] == "testLabel_value", "labels from .s2i/image_metadata.json")
        #expect(details.config?.labels?["io.openshift.s2i.build.image"] == "sti_test/sti-fake-scripts")
        #expect(details.config?.cmd == ["/tmp/scripts/run"])
    }

    @Test func scriptsFromAFileURLTheSourceAndHTTP() async throws {
        let scripts = Self.fixtures.appendingPathComponent("scripts/.s2i/bin")
        // sti-fake's label points at an HTTP server that is not there; --scripts-url comes first.
        try await client.s2iBuild(S2IRequest(source: application, builderImage: "sti_test/sti-fake", tag: "from-file",
                                             scriptsURL: "file://" + scripts.path))
        #expect(try await runAndList("from-file").contains("assemble-invoked"))

        // The source's .s2i/bin beats the image's scripts.
        let source = directory.appending("app-with-scripts")
        try FileManager.default.copyItem(at: application, to: source)
        try FileManager.default.createDirectory(at: source.appendingPathComponent(".s2i/bin"), withIntermediateDirectories: true)
        let assemble = source.appendingPathComponent(".s2i/bin/assemble")
        try Data("#!/bin/sh\ncp -R /tmp/src /sti-fake/ && echo \"$GREETING\" > /sti-fake/from-source\n".utf8).write(to: assemble)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: assemble.path)
        try Data("GREETING=from the environment file\n".utf8).write(to: source.appendingPathComponent(".s2i/environment"))
        try await client.s2iBuild(S2IRequest(source: source, builderImage: "sti_test/sti-fake-scripts", tag: "from-source"))
        let run = try await client.image("from-source").instantiate(.entrypoint([]), .command(["cat", "/sti-fake/from-source"])).run()
        #expect(run.standardOutput == "from the environment file\n")

        // Over HTTP, from a server on 127.0.0.1.
        let port = try FreePort.next()
        let server = try ServerProcess(
            name: "scripts server",
            arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", Self.fixtures.appendingPathComponent("scripts").path,
                        String(port)],
            port: port, logFile: directory.appending("http.log"))
        defer { server.stop() }
        try await client.s2iBuild(S2IRequest(source: application, builderImage: "sti_test/sti-fake", tag: "from-http",
                                             scriptsURL: "http://127.0.0.1:\(port)/.s2i/bin"))
        #expect(try await runAndList("from-http").contains("assemble-invoked"))
    }

    @Test func incrementalBuildsRestoreSavedArtifacts() async throws {
        try buildBuilder("sti-fake-scripts-no-save-artifacts")
        for builder in ["sti_test/sti-fake-scripts", "sti_test/sti-fake-scripts-no-save-artifacts"] {
            let tag = "incremental-\(builder.split(separator: "/").last!)"
            try await client.s2iBuild(S2IRequest(source: application, builderImage: builder, tag: tag))
            var again = S2IRequest(source: application, builderImage: builder, tag: tag)
            again.incremental = true
            try await client.s2iBuild(again)
            let marker = try await client.image(tag).instantiate(.entrypoint([]), .command(["ls", "/sti-fake"])).run().standardOutput
            // Without save-artifacts in the builder, the second build is a clean one.
            #expect(marker.contains("save-artifacts-invoked") == builder.hasSuffix("sti-fake-scripts"), "\(builder): \(marker)")
        }
    }

    @Test func runtimeImagesTakeTheBuiltArtifacts() async throws {
        try await build("runtime:1", dockerfile: """
            FROM busybox
            WORKDIR /app
            COPY <<'EOF' /usr/libexec/s2i/assemble-runtime
            #!/bin/sh
            touch /app/assembled-at-runtime
            EOF
            COPY <<'EOF' /usr/libexec/s2i/run
            #!/bin/sh
            ls /app /app/markers; cat /app/src/Gemfile
            EOF
            RUN chmod 755 /usr/libexec/s2i/*
            LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i \\
                  io.openshift.s2i.assemble-input-files="/sti-fake/assemble-invoked:markers"
            """)
        var request = S2IRequest(source: application, builderImage: "sti_test/sti-fake-scripts", tag: "slim:1")
        request.runtimeImage = "runtime:1"
        request.runtimeArtifacts = ["/sti-fake/src", "/sti-fake/assemble-invoked:markers"]
        try await client.s2iBuild(request)
        let run = try await client.image("slim:1").instantiate().run()
        #expect(run.exitCode == 0, "\(run.combined)")
        #expect(run.standardOutput.contains("assembled-at-runtime") && run.standardOutput.contains("source 'https://rubygems.org'"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("/app/markers:\nassemble-invoked"), "\(run.standardOutput)")
        // The runtime image's own files, not the builder's: no /sti-fake there.
        let builderFiles = try await client.image("slim:1").instantiate(.command(["ls", "/sti-fake"])).run()
        #expect(builderFiles.exitCode != 0)

        // Without --runtime-artifact the runtime image's label says what to take.
        request.runtimeArtifacts = []
        request.tag = "slim:2"
        try await client.s2iBuild(request)
        let labelled = try await client.image("slim:2").instantiate(.command(["ls", "/app/markers"])).run()
        #expect(labelled.standardOutput == "assemble-invoked\n", "\(labelled.combined)")
    }

    @Test func gitSourcesAtARefAreLabelledWithTheirCommit() async throws {
        let repository = directory.appending("repo")
        try FileManager.default.copyItem(at: application, to: repository)
        func git(_ arguments: String...) throws -> String {
            try ExternalCommand.checked(["git", "-C", repository.path, "-c", "user.name=Dev", "-c", "user.email=dev@example.com"] + arguments).text
        }
        _ = try git("init", "--quiet")
        _ = try git("add", ".")
        _ = try git("commit", "--quiet", "-m", "first")
        _ = try git("tag", "v1")
        try Data("changed later\n".utf8).write(to: repository.appendingPathComponent("Gemfile"))
        _ = try git("commit", "--quiet", "-am", "second")
        let first = try git("rev-parse", "v1").trimmingCharacters(in: .whitespacesAndNewlines)

        let cli = try Interop.hoist(
            ["s2i", "build", "--progress", "plain", "--ref", "v1", "file://" + repository.path, "sti_test/sti-fake-scripts", "from-git"],
            root: store)
        #expect(cli.status == 0, "\(cli.errorText)")
        let gemfile = try await client.image("from-git").instantiate(.entrypoint([]), .command(["cat", "/sti-fake/src/Gemfile"])).run()
        #expect(gemfile.standardOutput == "source 'https://rubygems.org'\n", "the tagged commit, not the latest")
        let labels = try client.inspect("from-git").config?.labels ?? [:]
        #expect(labels["io.openshift.s2i.build.commit.id"] == first)
        #expect(labels["io.openshift.s2i.build.commit.ref"] == "v1")
        #expect(labels["io.openshift.s2i.build.commit.message"] == "first")
        #expect(labels["io.openshift.s2i.build.source-location"] == "file://" + repository.path)
        let noGit = try await client.image("from-git").instantiate(.entrypoint([]), .command(["ls", "-a", "/sti-fake/src"])).run()
        #expect(!noGit.standardOutput.contains(".git"))

        let missing = try Interop.hoist(["s2i", "build", "--ref", "nope", "file://" + repository.path, "sti_test/sti-fake-scripts"], root: store)
        #expect(missing.status != 0 && missing.errorText.contains("cannot check out"), "\(missing.errorText)")
    }

    @Test func deprecatedEnvironmentAndImagesWithoutTar() async throws {
        try buildBuilder("sti-fake-env")
        try buildBuilder("sti-fake-no-tar")
        let scripts = "file://" + Self.fixtures.appendingPathComponent("scripts/.s2i/bin").path
        for builder in ["sti_test/sti-fake-env", "sti_test/sti-fake-no-tar"] {
            try await client.s2iBuild(S2IRequest(source: application, builderImage: builder, tag: "plain", scriptsURL: scripts))
            #expect(try await runAndList("plain").contains("Gemfile"), "\(builder)")
        }
        // sti-fake-env names its scripts only by STI_SCRIPTS_URL (nothing listens there).
        let unreachable = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(S2IRequest(source: application, builderImage: "sti_test/sti-fake-env", tag: "x"))
        }
        #expect(unreachable?.message.contains("127.0.0.1:23456") == true, "\(String(describing: unreachable))")
    }

    @Test func onbuildBuildersGetTheSourceAsTheirContext() async throws {
        try buildBuilder("sti-fake-onbuild")
        let scripts = "file://" + Self.fixtures.appendingPathComponent("scripts/.s2i/bin").path
        var request = S2IRequest(source: application, builderImage: "sti_test/sti-fake-onbuild", tag: "onbuilt", scriptsURL: scripts)
        try await client.s2iBuild(request)
        request.incremental = true
        try await client.s2iBuild(request)
        let listing = try await client.image("onbuilt").instantiate(.entrypoint([]), .command(["ls", "/sti-fake", "/sti-fake/src", "/tmp/src"])).run()
        // ONBUILD COPY . /tmp/src/ copied the application itself, and its RUN trigger ran.
        #expect(listing.standardOutput.contains("onbuild") && listing.standardOutput.contains("Gemfile"), "\(listing.combined)")
        #expect(!listing.standardOutput.contains("upload"), "the context is the source, not Hoist's workspace")
        #expect(!listing.standardOutput.contains("save-artifacts-invoked"), "an onbuild build is never incremental, as in S2I")
    }

    @Test func allowedUIDsRefuseRootNamedAndOnbuildRootUsers() async throws {
        for builder in ["sti_test/sti-fake-user", "sti_test/sti-fake-scripts", "sti_test/sti-fake-onbuild-rootuser",
                        "sti_test/sti-fake-assemble-root"] {
            let refused = await #expect(throws: S2IError.self) {
                try await client.s2iBuild(S2IRequest(source: application, builderImage: builder, tag: "refused", allowedUIDs: "1-"))
            }
            #expect(refused?.code == .failedPrecondition, "\(builder): \(String(describing: refused))")
        }
        // A numeric user inside the range builds, and assembles as that user.
        try await client.s2iBuild(S2IRequest(
            source: application, builderImage: "sti_test/sti-fake-numericuser", tag: "numeric",
            scriptsURL: "file://" + Self.fixtures.appendingPathComponent("scripts/.s2i/bin").path, allowedUIDs: "1-"))
        let owner = try await client.image("numeric").instantiate(.entrypoint([]), .command(["stat", "-c", "%u", "/sti-fake/assemble-invoked"])).run()
        #expect(owner.standardOutput == "431\n")
        #expect(throws: S2IError.self) { try AllowedUIDs(parsing: "x-") }
    }

    @Test func asDockerfileWritesWhatHoistBuildTurnsIntoTheSameImage() async throws {
        let output = directory.appending("as-dockerfile/Dockerfile")
        let none = try await client.s2iBuild(
            S2IRequest(source: application, builderImage: "sti_test/sti-fake-scripts", tag: "direct"), asDockerfile: output)
        #expect(none == nil)
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("FROM sti_test/sti-fake-scripts") && text.contains("RUN [\"/tmp/scripts/assemble\"]"), "\(text)")
        try Interop.hoist(["build", "-q", "-t", "via-dockerfile", output.deletingLastPathComponent().path], root: store).checkedStatus()
        try await client.s2iBuild(S2IRequest(source: application, builderImage: "sti_test/sti-fake-scripts", tag: "direct"))
        let direct = try client.inspect("direct")
        let viaDockerfile = try client.inspect("via-dockerfile")
        #expect(direct.layers.map(\.digestString) == viaDockerfile.layers.map(\.digestString), "the same files, layer for layer")
        #expect(direct.config?.cmd == viaDockerfile.config?.cmd)
    }

    @Test func usageAndNetworkNone() async throws {
        try await build("with-usage", dockerfile: """
            FROM busybox
            COPY <<'EOF' /usr/libexec/s2i/usage
            #!/bin/sh
            echo "this builder builds Gemfiles"
            EOF
            RUN chmod 755 /usr/libexec/s2i/usage
            LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i
            """)
        let usage = try Interop.hoist(["s2i", "usage", "with-usage"], root: store)
        #expect(usage.status == 0 && usage.text == "this builder builds Gemfiles\n", "\(usage.errorText)")
        #expect(try Interop.hoist(["s2i", "usage", "sti_test/sti-fake-scripts"], root: store).errorText.contains("no usage script"))

        // --network none: assemble sees only loopback.
        let source = directory.appending("net-app")
        try FileManager.default.createDirectory(at: source.appendingPathComponent(".s2i/bin"), withIntermediateDirectories: true)
        let assemble = source.appendingPathComponent(".s2i/bin/assemble")
        try Data("#!/bin/sh\nmkdir -p /sti-fake && ls /sys/class/net > /sti-fake/interfaces\n".utf8).write(to: assemble)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: assemble.path)
        var request = S2IRequest(source: source, builderImage: "sti_test/sti-fake-scripts", tag: "offline")
        request.network = "none"
        try await client.s2iBuild(request)
        let interfaces = try await client.image("offline").instantiate(.entrypoint([]), .command(["cat", "/sti-fake/interfaces"])).run()
        #expect(interfaces.standardOutput == "lo\n", "\(interfaces.combined)")
    }

    /// Writes executable scripts into `directory/.s2i/bin`.
    private func writeScripts(_ scripts: [String: String], in directory: URL) throws {
        let bin = directory.appendingPathComponent(".s2i/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for (name, text) in scripts {
            try Data(text.utf8).write(to: bin.appendingPathComponent(name))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent(name).path)
        }
    }

    @Test func labelsAsS2IWritesThemAContextDirectoryAndStepLimits() async throws {
        let source = directory.appending("monorepo")
        let web = source.appendingPathComponent("services/web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        try Data("web\n".utf8).write(to: web.appendingPathComponent("index.html"))
        try Data("not part of the application\n".utf8).write(to: source.appendingPathComponent("README"))
        try writeScripts([
            "assemble": "#!/bin/sh\nls /tmp/src > /sti-fake/listing && grep CapEff /proc/self/status > /sti-fake/caps\n",
            "run": "#!/bin/sh\ncat /sti-fake/listing /sti-fake/caps\n",
        ], in: web)

        var request = S2IRequest(source: source, builderImage: "sti_test/sti-fake", tag: "web:1")
        request.contextDirectory = "services/web"
        request.displayName = "Web"
        request.description = "The web service"
        request.capabilitiesDropped = ["CHOWN"]
        try await client.s2iBuild(request)
        let labels = try client.inspect("web:1").config?.labels ?? [:]
        #expect(labels["io.k8s.display-name"] == "Web")
        #expect(labels["io.k8s.description"] == "The web service")
        #expect(labels["io.openshift.s2i.build.image"] == "sti_test/sti-fake")
        #expect(labels["io.openshift.s2i.build.source-location"] == source.path)
        #expect(labels["io.openshift.s2i.build.source-context-dir"] == "services/web")
        #expect(labels["io.openshift.s2i.build.tag"] == nil, "S2I writes no such label")

        // The run script (the image's command) shows what assemble saw: the context directory
        // as the source, and CAP_CHOWN (bit 0) gone from its capabilities.
        func capabilities(_ image: String) async throws -> (source: [String], chown: Bool) {
            let run = try await client.image(image).instantiate().run()
            #expect(run.exitCode == 0, "\(run.combined)")
            let lines = run.standardOutput.split(separator: "\n").map(String.init)
            let mask = UInt64(lines.last?.split(separator: "\t").last.map(String.init) ?? "", radix: 16) ?? 0
            return (Array(lines.dropLast()), mask & 1 == 1)
        }
        let dropped = try await capabilities("web:1")
        #expect(dropped.source == ["index.html"], "only the context directory is the source")
        #expect(!dropped.chown)
        // Limits are not part of the cache key (as in docker build), so another source is built.
        var plain = request
        plain.capabilitiesDropped = []
        plain.environment = ["VARIANT=plain"]
        plain.tag = "web:plain"
        try await client.s2iBuild(plain)
        #expect(try await capabilities("web:plain").chown)

        // A memory limit bounds assemble: past it, the step is killed.
        let hungry = directory.appending("hungry")
        try FileManager.default.createDirectory(at: hungry, withIntermediateDirectories: true)
        try writeScripts([
            "assemble": "#!/bin/sh\nhead -c 200000000 /dev/zero | tr '\\\\0' a | sort > /dev/null\n", "run": "#!/bin/sh\ntrue\n",
        ], in: hungry)
        var limited = S2IRequest(source: hungry, builderImage: "sti_test/sti-fake", tag: "hungry")
        limited.memoryBytes = 32 << 20
        let killed = await #expect(throws: BuildError.self) { try await client.s2iBuild(limited) }
        #expect(killed?.exitCode == 137, "\(String(describing: killed))")

        let outside = await #expect(throws: S2IError.self) {
            var escaping = request
            escaping.contextDirectory = "../elsewhere"
            try await client.s2iBuild(escaping)
        }
        #expect(outside?.message.contains("leaves the source") == true)
    }

    @Test func errorsSayWhatIsWrong() async throws {
        let noScripts = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(S2IRequest(source: application, builderImage: "busybox", tag: "x"))
        }
        #expect(noScripts?.message.contains("no assemble script") == true && noScripts?.message.contains(".s2i/bin") == true)
        #expect(noScripts?.message.contains("image:///usr/libexec/s2i") == true, "the default image scripts place is searched and named")

        let missing = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(S2IRequest(source: directory.appending("nowhere"), builderImage: "sti_test/sti-fake-scripts"))
        }
        #expect(missing?.code == .notFound)

        let failing = directory.appending("failing")
        try FileManager.default.createDirectory(at: failing.appendingPathComponent(".s2i/bin"), withIntermediateDirectories: true)
        let assemble = failing.appendingPathComponent(".s2i/bin/assemble")
        try Data("#!/bin/sh\necho cannot compile >&2\nexit 3\n".utf8).write(to: assemble)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: assemble.path)
        let cli = try Interop.hoist(["s2i", "build", "--progress", "plain", failing.path, "sti_test/sti-fake-scripts", "broken"], root: store)
        #expect(cli.status != 0)
        #expect(cli.errorText.contains("exit code: 3") && cli.errorText.contains("cannot compile"), "\(cli.errorText)")
    }
}
