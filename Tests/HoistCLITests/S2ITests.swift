import Foundation
import Hoist
import HoistBuild
import HoistS2I
import HoistStore
import HoistTestSupport
import Synchronization
import Testing

/// `hoist s2i build` with S2I's own test builder images (../shared/conformance/source-to-image),
/// built offline on a busybox base, through real runc/crun, each as S2I's integration tests
/// build them (see the fixtures' README).
@Suite("Source-to-image builds", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct S2ITests {
    let fixture: S2IFixture
    var client: Client { fixture.client }
    var application: URL { fixture.application }
    var directory: TemporaryDirectory { fixture.directory }

    init() async throws {
        fixture = try await S2IFixture()
    }

    /// An HTTP server on 127.0.0.1 serving the fixtures' `scripts/` (S2I's tests serve it so).
    private func scriptsServer() throws -> (server: ServerProcess, url: String) {
        let port = try FreePort.next()
        let server = try ServerProcess(
            name: "scripts server",
            arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                        S2IFixture.fixtures.appendingPathComponent("scripts").path, String(port)],
            port: port, logFile: directory.appending("http-\(port).log"))
        return (server, "http://127.0.0.1:\(port)/.s2i/bin")
    }

    @Test func scriptsInTheImage() async throws {
        let builder = try await fixture.builder("sti-fake-scripts")
        let result = try await client.s2iBuild(fixture.request(builder, tag: "out:1"))
        let listing = try await fixture.runAndList("out:1")
        for file in ["assemble-invoked", "run-invoked", "Gemfile"] { #expect(listing.contains(file), "\(listing)") }
        let details = try client.inspect("out:1")
        #expect(details.id.description == result.imageID)
        #expect(details.config?.labels?["testLabel"] == "testLabel_value", "labels from /tmp/.s2i/image_metadata.json")
        #expect(details.config?.labels?["io.openshift.s2i.build.image"] == builder)
        #expect(details.config?.labels?["io.k8s.display-name"] == "out:1")
        #expect(details.config?.cmd == ["/tmp/scripts/run"])
        #expect(result.labels["testLabel"] == "testLabel_value" && !result.incremental)
        // The image without a name is kept, as S2I leaves it, by ID.
        let unnamed = try await client.s2iBuild(fixture.request(builder, tag: nil))
        #expect(try client.inspect(unnamed.imageID).config?.labels?["io.k8s.display-name"] == nil)
    }

    @Test func scriptsFromAFileURLTheSourceHTTPTheLabelAndTheEnvironment() async throws {
        let fake = try await fixture.builder("sti-fake")
        // sti-fake's label points at port 23456, where nothing listens; --scripts-url comes first.
        try await client.s2iBuild(fixture.request(fake, tag: "from-file", scriptsURL: S2IFixture.scriptsURL))
        #expect(try await fixture.runAndList("from-file").contains("assemble-invoked"))

        // The source's .s2i/bin beats the image's scripts; .s2i/environment reaches assemble.
        let source = directory.appending("app-with-scripts")
        try FileManager.default.copyItem(at: application, to: source)
        try writeScripts(["assemble": "#!/bin/sh\ncp -R /tmp/src /sti-fake/ && echo \"$GREETING $PLACE\" > /sti-fake/from-source\n"], in: source)
        try Data("GREETING=hello\nPLACE=file\n".utf8).write(to: source.appendingPathComponent(".s2i/environment"))
        let scriptsBuilder = try await fixture.builder("sti-fake-scripts")
        var request = S2IRequest(source: source, builderImage: scriptsBuilder, tag: "from-source")
        // S2I's order: .s2i/environment, then -e, then -E.
        request.environment = ["PLACE=flag"]
        let file = directory.appending("env-file")
        try Data("# a comment\nPLACE = env file\n".utf8).write(to: file)
        request.environmentFile = file
        try await client.s2iBuild(request)
        #expect(try await fixture.run("from-source", ["cat", "/sti-fake/from-source"]).standardOutput == "hello env file\n")

        // Over HTTP from 127.0.0.1: as --scripts-url, as the builder's label, and as STI_SCRIPTS_URL.
        let (server, url) = try scriptsServer()
        defer { server.stop() }
        try await client.s2iBuild(fixture.request(fake, tag: "from-http", scriptsURL: url))
        #expect(try await fixture.runAndList("from-http").contains("assemble-invoked"))
        let labelled = try await fixture.build("labelled-http", dockerfile: "FROM sti_test/sti-fake\nLABEL io.openshift.s2i.scripts-url=\(url)\n")
        try await client.s2iBuild(fixture.request(labelled, tag: "from-label"))
        #expect(try await fixture.runAndList("from-label").contains("assemble-invoked"))
        _ = try await fixture.builder("sti-fake-env")
        let environment = try await fixture.build("env-http", dockerfile: "FROM sti_test/sti-fake-env\nENV STI_SCRIPTS_URL=\(url)\n")
        try await client.s2iBuild(fixture.request(environment, tag: "from-env"))
        #expect(try await fixture.runAndList("from-env").contains("assemble-invoked"))
        // The old label io.s2i.scripts-url is read too.
        let old = try await fixture.build("old-label", dockerfile: "FROM sti_test/sti-fake-env\nENV STI_SCRIPTS_URL=\nLABEL io.s2i.scripts-url=\(url)\n")
        try await client.s2iBuild(fixture.request(old, tag: "from-old-label"))
        #expect(try await fixture.runAndList("from-old-label").contains("assemble-invoked"))
    }

    @Test func incrementalBuildsRestoreSavedArtifactsAndRemoveThePreviousImage() async throws {
        for name in ["sti-fake-scripts", "sti-fake-scripts-no-save-artifacts"] {
            let builder = try await fixture.builder(name)
            let tag = "incremental-\(name)"
            let first = try await client.s2iBuild(fixture.request(builder, tag: tag))
            var again = fixture.request(builder, tag: tag)
            again.incremental = true
            let second = try await client.s2iBuild(again)
            let marker = try await fixture.run(tag, ["ls", "/sti-fake"], entrypoint: []).standardOutput
            // Without save-artifacts in the builder, the second build is a clean one.
            let expected = name == "sti-fake-scripts"
            #expect(marker.contains("save-artifacts-invoked") == expected, "\(name): \(marker)")
            #expect(second.incremental == expected)
            // Without --rm the previous image stays.
            #expect((try? client.inspect(first.imageID)) != nil)
            // The artifacts are unpacked in assemble's step (the builder has tar), as S2I unpacks
            // them in its container: no layer of their own, so the image holds them once.
            #expect(try client.inspect(tag).layers.count == (try client.inspect(first.imageID).layers.count), "\(name)")
        }
        // --rm: the image the tag named before is removed once the new one is made.
        let builder = try await fixture.builder("sti-fake-scripts")
        let before = try client.inspect("incremental-sti-fake-scripts").id
        var request = fixture.request(builder, tag: "incremental-sti-fake-scripts")
        request.incremental = true
        request.removePreviousImage = true
        try Data("changed\n".utf8).write(to: application.appendingPathComponent("CHANGES"))
        let third = try await client.s2iBuild(request)
        #expect(third.imageID != before.description)
        #expect((try? client.inspect(before.description)) == nil, "the previous image is gone")
        // --incremental-from-tag takes the artifacts of another image.
        var from = fixture.request(builder, tag: "other-name")
        from.incremental = true
        from.incrementalFromTag = "incremental-sti-fake-scripts"
        #expect(try await client.s2iBuild(from).incremental)
    }

    @Test func incrementalBuildsNeedNoPullWhenTheArtifactsAreAtHand() async throws {
        let builder = try await fixture.builder("sti-fake-scripts")
        // The tag names a registry where nothing listens: a pull would fail.
        let port = try FreePort.next()
        let tag = "127.0.0.1:\(port)/app:1"
        try await client.s2iBuild(fixture.request(builder, tag: tag))
        let events = EventLog()
        var request = fixture.request(builder, tag: tag)
        request.incremental = true
        // The previous image is in the store: used as it is.
        #expect(try await client.s2iBuild(request, progress: events.progress).incremental)
        #expect(events.pulls.isEmpty, "\(events.pulls)")
        // That incremental build left its artifacts in the cache mount: with the previous image
        // gone, the next one restores them from there, without pulling.
        _ = try await client.removeImage(tag, force: true)
        let cached = EventLog()
        try Data("changed again\n".utf8).write(to: application.appendingPathComponent("CHANGES"))
        #expect(try await client.s2iBuild(request, progress: cached.progress).incremental)
        #expect(cached.pulls.isEmpty, "\(cached.pulls)")
        #expect(cached.notes.contains { $0.contains("build cache") }, "\(cached.notes)")
        #expect(try await fixture.run(tag, ["ls", "/sti-fake"], entrypoint: []).standardOutput.contains("save-artifacts-invoked"))
        // Neither there: S2I pulls (and here fails to), then builds clean.
        _ = try await client.removeImage(tag, force: true)
        var fresh = fixture.request(builder, tag: "127.0.0.1:\(port)/other:1")
        fresh.incremental = true
        fresh.pullRetry.maximumAttempts = 1
        let clean = EventLog()
        #expect(try await client.s2iBuild(fresh, progress: clean.progress).incremental == false)
        #expect(clean.pulls == ["127.0.0.1:\(port)/other:1"])
    }

    @Test func runtimeImagesTakeTheBuiltArtifactsAndHaveTheirUsersChecked() async throws {
        try await fixture.build("runtime:1", dockerfile: """
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
        let builder = try await fixture.builder("sti-fake-scripts")
        var request = fixture.request(builder, tag: "slim:1")
        request.runtimeImage = "runtime:1"
        request.runtimeArtifacts = [S2IPathMapping(source: "/sti-fake/src", destination: ""),
                                    S2IPathMapping(source: "/sti-fake/assemble-invoked", destination: "markers")]
        try await client.s2iBuild(request)
        let run = try await fixture.run("slim:1")
        #expect(run.exitCode == 0, "\(run.combined)")
        #expect(run.standardOutput.contains("assembled-at-runtime") && run.standardOutput.contains("source 'https://rubygems.org'"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("/app/markers:\nassemble-invoked"), "\(run.standardOutput)")
        #expect(try await fixture.run("slim:1", ["ls", "/sti-fake"]).exitCode != 0, "the runtime image's files, not the builder's")

        // Without --runtime-artifact the runtime image's label says what to take.
        request.runtimeArtifacts = []
        request.tag = "slim:2"
        try await client.s2iBuild(request)
        #expect(try await fixture.run("slim:2", ["ls", "/app/markers"]).standardOutput == "assemble-invoked\n")

        // --allowed-uids checks the runtime image too: one that runs as root is refused, naming it.
        _ = try await fixture.builder("sti-fake-numericuser")
        var checked = fixture.request("sti_test/sti-fake-numericuser", tag: "slim:3", scriptsURL: S2IFixture.scriptsURL)
        checked.runtimeImage = "runtime:1"
        checked.allowedUIDs = try AllowedUIDs(parsing: "1-")
        let refused = await #expect(throws: S2IError.self) { try await client.s2iBuild(checked) }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.message.contains("runtime:1") == true && refused?.message.contains("1-") == true, "\(String(describing: refused))")
        // A runtime image with a numeric user in range passes.
        try await fixture.build("runtime:431", dockerfile: "FROM runtime:1\nRUN chown 431 /app\nUSER 431\n")
        checked.runtimeImage = "runtime:431"
        try await client.s2iBuild(checked)
        let slim = try await fixture.run("slim:3", ["ls", "/app"], entrypoint: [])
        #expect(slim.standardOutput.contains("assembled-at-runtime"), "\(slim.combined)")
        // --scripts-url serves the runtime image too (S2I's runtime installer takes it): its run.
        #expect(try client.inspect("slim:3").config?.cmd == ["/app/scripts/run"])
        // S2I does not build a runtime image incrementally.
        checked.incremental = true
        await #expect(throws: S2IError.self) { try await client.s2iBuild(checked) }
    }

    @Test func gitSourcesAtARefAreLabelledWithTheirCommitAndRebuiltFromThem() async throws {
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
        let builder = try await fixture.builder("sti-fake-scripts")

        let cli = try Interop.hoist(["s2i", "build", "--progress", "plain", "--ref", "v1", "file://" + repository.path, builder, "from-git"],
                                    root: fixture.store)
        #expect(cli.status == 0, "\(cli.errorText)")
        #expect(try await fixture.run("from-git", ["cat", "/sti-fake/src/Gemfile"]).standardOutput == "source 'https://rubygems.org'\n")
        let labels = try client.inspect("from-git").config?.labels ?? [:]
        #expect(labels["io.openshift.s2i.build.commit.id"] == first)
        #expect(labels["io.openshift.s2i.build.commit.ref"] == "v1")
        #expect(labels["io.openshift.s2i.build.commit.message"] == "first")
        #expect(labels["io.openshift.s2i.build.source-location"] == "file://" + repository.path)
        #expect(!(try await fixture.run("from-git", ["ls", "-a", "/sti-fake/src"]).standardOutput.contains(".git")))

        // s2i rebuild: the builder and the source at its ref, from the labels; the same image.
        let rebuilt = try Interop.hoist(["s2i", "rebuild", "--progress", "plain", "from-git", "rebuilt"], root: fixture.store)
        #expect(rebuilt.status == 0, "\(rebuilt.errorText)")
        // A new checkout has new file times: the same files and labels, not the same bytes.
        let checksums = ["sh", "-c", "cd /sti-fake/src && find . -type f | sort | xargs md5sum"]
        let original = try await fixture.run("from-git", checksums, entrypoint: [])
        let again = try await fixture.run("rebuilt", checksums, entrypoint: [])
        #expect(original.exitCode == 0 && again.standardOutput == original.standardOutput, "\(again.combined) vs \(original.combined)")
        #expect(try client.inspect("rebuilt").config?.labels == labels)
        // An image S2I did not build cannot be rebuilt.
        let foreign = try Interop.hoist(["s2i", "rebuild", fixture.busybox], root: fixture.store)
        #expect(foreign.status != 0 && foreign.errorText.contains("io.openshift.s2i.build.image"), "\(foreign.errorText)")

        let missing = try Interop.hoist(["s2i", "build", "--ref", "nope", "file://" + repository.path, builder], root: fixture.store)
        #expect(missing.status != 0 && missing.errorText.contains("cannot check out"), "\(missing.errorText)")
    }

    @Test func deprecatedEnvironmentAndImagesWithoutTar() async throws {
        for name in ["sti-fake-env", "sti-fake-no-tar"] {
            let builder = try await fixture.builder(name)
            try await client.s2iBuild(fixture.request(builder, tag: "plain", scriptsURL: S2IFixture.scriptsURL))
            #expect(try await fixture.runAndList("plain").contains("Gemfile"), "\(name)")
        }
        // sti-fake-env names its scripts only by STI_SCRIPTS_URL, where nothing listens.
        let unreachable = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(fixture.request("sti_test/sti-fake-env", tag: "x"))
        }
        #expect(unreachable?.message.contains("127.0.0.1:23456") == true, "\(String(describing: unreachable))")
        // A save-artifacts that fails makes the incremental build a clean one, as in S2I.
        let source = directory.appending("failing-save")
        try FileManager.default.copyItem(at: application, to: source)
        try writeScripts(["save-artifacts": "#!/bin/sh\necho cannot save >&2\nexit 2\n"], in: source)
        let builder = try await fixture.builder("sti-fake-scripts")
        try await client.s2iBuild(S2IRequest(source: source, builderImage: builder, tag: "failing-save"))
        var again = S2IRequest(source: source, builderImage: builder, tag: "failing-save")
        again.incremental = true
        let events = EventLog()
        #expect(try await client.s2iBuild(again, progress: events.progress).incremental == false)
        #expect(events.notes.contains { $0.contains("error saving previous build artifacts") }, "\(events.notes)")
        #expect(try await fixture.run("failing-save", ["ls", "/sti-fake"], entrypoint: []).standardOutput.contains("assemble-invoked"))
    }

    @Test func onbuildBuildersGetTheSourceAsTheirContext() async throws {
        let builder = try await fixture.builder("sti-fake-onbuild")
        var request = fixture.request(builder, tag: "onbuilt", scriptsURL: S2IFixture.scriptsURL)
        try await client.s2iBuild(request)
        request.incremental = true
        #expect(try await client.s2iBuild(request).incremental == false, "an onbuild build is never incremental, as in S2I")
        let listing = try await fixture.run("onbuilt", ["ls", "/sti-fake", "/sti-fake/src", "/tmp/src"], entrypoint: [])
        // ONBUILD COPY . /tmp/src/ copied the application itself, and its RUN trigger ran.
        #expect(listing.standardOutput.contains("onbuild") && listing.standardOutput.contains("Gemfile"), "\(listing.combined)")
        #expect(!listing.standardOutput.contains("upload"), "the context is the source, not Hoist's workspace")
        #expect(!listing.standardOutput.contains("save-artifacts-invoked"))
    }

    @Test func allowedUIDsAsS2IChecksThem() async throws {
        // S2I's cases (its TestAllowedUIDs*): with 1-, these builders are refused …
        let uids = try AllowedUIDs(parsing: "1-")
        for name in ["sti-fake-user", "sti-fake-onbuild-rootuser", "sti-fake-assemble-root"] {
            var request = fixture.request(try await fixture.builder(name), tag: "refused", scriptsURL: S2IFixture.scriptsURL)
            request.allowedUIDs = uids
            let refused = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
            #expect(refused?.code == .failedPrecondition, "\(name): \(String(describing: refused))")
            #expect(refused?.message.contains("sti_test/\(name)") == true && refused?.message.contains("--allowed-uids 1-") == true,
                    "\(name): \(String(describing: refused))")
        }
        // … and these build, assembling as their user.
        var numeric = fixture.request(try await fixture.builder("sti-fake-numericuser"), tag: "numeric", scriptsURL: S2IFixture.scriptsURL)
        numeric.allowedUIDs = uids
        try await client.s2iBuild(numeric)
        #expect(try await fixture.run("numeric", ["stat", "-c", "%u", "/sti-fake/assemble-invoked"], entrypoint: []).standardOutput == "431\n")
        var assembleUser = fixture.request(try await fixture.builder("sti-fake-assemble-user"), tag: "assemble-user", scriptsURL: S2IFixture.scriptsURL)
        assembleUser.allowedUIDs = uids
        try await client.s2iBuild(assembleUser)
        #expect(try await fixture.run("assemble-user", ["stat", "-c", "%u", "/sti-fake/assemble-invoked"], entrypoint: []).standardOutput == "431\n")
        // sti-fake-onbuild-numericuser: USER 1001 and ONBUILD USER 1001 pass; its triggers run as
        // 1001, which cannot write the fixture's /sti-fake, so the source brings an assemble of its own.
        let source = directory.appending("onbuild-app")
        try FileManager.default.copyItem(at: application, to: source)
        try writeScripts(["assemble": "#!/bin/sh\nid -u > /tmp/assembled-by && ls /tmp/onbuild /tmp/src/Gemfile\n",
                          "run": "#!/bin/sh\ncat /tmp/assembled-by\n"], in: source)
        var onbuild = S2IRequest(source: source, builderImage: try await fixture.builder("sti-fake-onbuild-numericuser"), tag: "onbuild-numeric")
        onbuild.allowedUIDs = uids
        try await client.s2iBuild(onbuild)
        #expect(try await fixture.run("onbuild-numeric").standardOutput == "1001\n")
        // --assemble-user decides over the image's user, as in S2I.
        var override = fixture.request("sti_test/sti-fake-user", tag: "override", scriptsURL: S2IFixture.scriptsURL)
        override.allowedUIDs = uids
        override.assembleUser = "431"
        try await client.s2iBuild(override)
        // An image without USER is refused even when 0 is allowed: S2I wants a number.
        var rootless = fixture.request(try await fixture.builder("sti-fake-scripts"), tag: "x")
        rootless.allowedUIDs = try AllowedUIDs(parsing: "0-")
        let noUser = await #expect(throws: S2IError.self) { try await client.s2iBuild(rootless) }
        #expect(noUser?.message.contains("not set") == true, "\(String(describing: noUser))")
        #expect(throws: S2IError.self) { try AllowedUIDs(parsing: "x-") }
    }

    @Test func injectionsAreThereForAssembleAndTruncatedAfter() async throws {
        let builder = try await fixture.builder("sti-fake")
        let secrets = directory.appending("secrets")
        try FileManager.default.createDirectory(at: secrets.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: secrets.appendingPathComponent("secret"))
        try Data("deeper secret\n".utf8).write(to: secrets.appendingPathComponent("nested/key"))
        let kept = directory.appending("kept")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: kept.appendingPathComponent("keep"))

        // -i DIR:/tmp (absolute), DIR: (the image's working directory), and a kept injection.
        var request = fixture.request(builder, tag: "injected", scriptsURL: S2IFixture.scriptsURL)
        request.injections = try S2IPathMapping.parseList("\(secrets.path):/tmp;\(secrets.path):", option: "--inject")
        request.injections.append(S2IPathMapping(source: kept.path, destination: "/opt/kept", keep: true))
        try await client.s2iBuild(request)
        let markers = try await fixture.run("injected", ["ls", "/sti-fake"], entrypoint: []).standardOutput
        #expect(markers.contains("secret-delivered") && markers.contains("relative-secret-delivered"), "\(markers)")
        for path in ["/tmp/secret", "/tmp/nested/key", "/opt/app-root/src/secret"] {
            let size = try await fixture.run("injected", ["stat", "-c", "%s", path], entrypoint: [])
            #expect(size.standardOutput == "0\n", "\(path) is there, truncated: \(size.combined)")
        }
        #expect(try await fixture.run("injected", ["cat", "/opt/kept/keep"], entrypoint: []).standardOutput == "keep me\n")
        // No layer of the image holds the secret.
        for layer in try client.inspect("injected").layers {
            let blob = fixture.store.appendingPathComponent("blobs/sha256/\(layer.digestString.dropFirst(7))")
            let text = try ExternalCommand.run(["sh", "-c", "zcat -f '\(blob.path)' | grep -c 'deeper secret' || true"]).text
            #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "layer \(layer.digestString)")
        }
        // The CLI's -i, and a destination whose directory is not in the image.
        let cli = try Interop.hoist(
            ["s2i", "build", "--progress", "plain", "-s", S2IFixture.scriptsURL, "-i", "\(secrets.path):/tmp", application.path, builder, "cli-injected"],
            root: fixture.store)
        #expect(cli.status == 0, "\(cli.errorText)")
        request.injections = [S2IPathMapping(source: secrets.path, destination: "/bad/dir")]
        let bad = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect(bad?.message.contains("/bad") == true, "\(String(describing: bad))")
    }

    @Test func s2iignoreAndExcludeLeaveSourcePathsOut() async throws {
        let source = directory.appending("ignoring")
        try FileManager.default.copyItem(at: application, to: source)
        for path in ["dummy", "skip_file", "foo/bar/another_file", "foo/bar/kept", "foo/baz/foobar", "foo/baz/other", ".git/HEAD", "lib/.git/x"] {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("\(path)\n".utf8).write(to: url)
        }
        try Data("dummy\n#skip_file\nfoo/bar/another_file\n  foo/baz/foo*  \n".utf8).write(to: source.appendingPathComponent(".s2iignore"))
        let builder = try await fixture.builder("sti-fake-scripts")
        try await client.s2iBuild(S2IRequest(source: source, builderImage: builder, tag: "ignored"))
        let listing = try await fixture.run("ignored", ["find", "/sti-fake/src", "-type", "f"], entrypoint: []).standardOutput
        for left in ["/dummy", "another_file", "foobar", ".git"] { #expect(!listing.contains(left), "\(left) left out: \(listing)") }
        for kept in ["/skip_file", "foo/bar/kept", "foo/baz/other", "Gemfile"] { #expect(listing.contains(kept), "\(kept) kept: \(listing)") }
        // --exclude "" keeps .git.
        var all = S2IRequest(source: source, builderImage: builder, tag: "all")
        all.excludePattern = ""
        try await client.s2iBuild(all)
        #expect(try await fixture.run("all", ["find", "/sti-fake/src", "-type", "f"], entrypoint: []).standardOutput.contains(".git/HEAD"))
    }

    @Test func runCallbackAndUsage() async throws {
        let builder = try await fixture.builder("sti-fake-scripts")
        let source = directory.appending("run-app")
        try FileManager.default.copyItem(at: application, to: source)
        try writeScripts(["run": "#!/bin/sh\necho \"the app runs as $(id -u)\"\nexit ${EXIT:-0}\n"], in: source)

        // --callback-url: S2I POSTs {"success": …, "labels": {…}} to it; a server on 127.0.0.1 keeps the bodies.
        let port = try FreePort.next()
        let bodies = directory.appending("callbacks")
        let server = try ServerProcess(
            name: "callback server",
            arguments: ["python3", "-c", """
                import http.server, sys
                class H(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers['Content-Length']))
                        with open(sys.argv[2], 'ab') as f: f.write(self.headers['Content-Type'].encode() + b' ' + body + b'\\n')
                        self.send_response(200); self.end_headers()
                http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
                """, String(port), bodies.path],
            port: port, logFile: directory.appending("callback.log"))
        defer { server.stop() }
        let cli = try Interop.hoist(
            ["s2i", "build", "--progress", "plain", "--run", "--callback-url", "http://127.0.0.1:\(port)/done", source.path, builder, "runs"],
            root: fixture.store)
        #expect(cli.status == 0, "\(cli.errorText)")
        #expect(cli.text.contains("the app runs as 0"), "--run shows the image's output: \(cli.text)")
        let posted = try String(contentsOf: bodies, encoding: .utf8)
        #expect(posted.hasPrefix("application/json {"), "\(posted)")
        let json = try JSONSerialization.jsonObject(with: Data(posted.dropFirst("application/json ".count).utf8)) as? [String: Any]
        #expect(json?["success"] as? Bool == true)
        #expect((json?["labels"] as? [String: String])?["testLabel"] == "testLabel_value", "\(posted)")

        // A failing build is called back too, with success false; a failing --run fails the command.
        try writeScripts(["assemble": "#!/bin/sh\nexit 4\n"], in: source)
        let failed = try Interop.hoist(["s2i", "build", "--callback-url", "http://127.0.0.1:\(port)/done", source.path, builder, "broken"],
                                       root: fixture.store)
        #expect(failed.status != 0)
        #expect(try String(contentsOf: bodies, encoding: .utf8).contains("{\"success\":false}"))

        // s2i usage runs the builder's usage script.
        try await fixture.build("with-usage", dockerfile: """
            FROM busybox
            COPY <<'EOF' /usr/libexec/s2i/usage
            #!/bin/sh
            echo "this builder builds Gemfiles"
            EOF
            RUN chmod 755 /usr/libexec/s2i/usage
            """)
        let usage = try Interop.hoist(["s2i", "usage", "with-usage"], root: fixture.store)
        #expect(usage.status == 0 && usage.text == "this builder builds Gemfiles\n", "\(usage.errorText)")
        #expect(try Interop.hoist(["s2i", "usage", builder], root: fixture.store).errorText.contains("no usage script"))
    }

    @Test func destinationsFromLabelsAndTheOldEnvironment() async throws {
        _ = try await fixture.builder("sti-fake")
        // io.openshift.s2i.destination, io.s2i.destination and STI_LOCATION, in S2I's order; the
        // metadata file is read where S2I documents it, or under the destination.
        let source = directory.appending("dest-app")
        try FileManager.default.copyItem(at: application, to: source)
        try writeScripts([
            "assemble": "#!/bin/sh\nmkdir -p /sti-fake && ls \"$(dirname \"$0\")/../src\" > /sti-fake/where\nmkdir -p $STI_LOCATION/.s2i && echo '{\"labels\":[{\"where\":\"'$STI_LOCATION'\"}]}' > $STI_LOCATION/.s2i/image_metadata.json\n",
            "run": "#!/bin/sh\ntrue\n",
        ], in: source)
        for (label, expected) in [("io.openshift.s2i.destination=/opt/new", "/opt/new"), ("io.s2i.destination=/opt/old", "/opt/old"), ("", "/opt/env")] {
            let builder = try await fixture.build(
                "dest-\(expected.split(separator: "/").last!)",
                dockerfile: "FROM sti_test/sti-fake\nENV STI_LOCATION=/opt/env\n" + (label.isEmpty ? "" : "LABEL \(label)\n"))
            try await client.s2iBuild(S2IRequest(source: source, builderImage: builder, tag: "dest"))
            #expect(try await fixture.run("dest", ["cat", "\(expected)/src/Gemfile"], entrypoint: []).exitCode == 0, "\(expected)")
            #expect(try client.inspect("dest").config?.cmd == ["\(expected)/scripts/run"])
        }
        #expect(try client.inspect("dest").config?.labels?["where"] == "/opt/env", "image_metadata.json under STI_LOCATION")
        // -d/--destination decides over the image.
        var request = S2IRequest(source: source, builderImage: "dest-env", tag: "dest")
        request.destination = "/srv"
        try await client.s2iBuild(request)
        #expect(try client.inspect("dest").config?.cmd == ["/srv/scripts/run"])
    }

    @Test func asDockerfileWritesWhatHoistBuildTurnsIntoTheSameImage() async throws {
        let builder = try await fixture.builder("sti-fake-scripts")
        let output = directory.appending("as-dockerfile/Dockerfile")
        try await client.s2iWriteDockerfile(fixture.request(builder, tag: "direct"), to: output)
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(text.contains("FROM \(builder)") && text.contains("RUN [\"/tmp/scripts/assemble\"]"), "\(text)")
        try Interop.hoist(["build", "-q", "-t", "via-dockerfile", output.deletingLastPathComponent().path], root: fixture.store).checkedStatus()
        try await client.s2iBuild(fixture.request(builder, tag: "direct"))
        // The same files and settings (assemble ran twice, so the times differ).
        let files = ["sh", "-c", "find /sti-fake /tmp/src /tmp/scripts | sort | while read f; do [ -f \"$f\" ] && md5sum \"$f\" || echo \"$f\"; done"]
        let direct = try await fixture.run("direct", files, entrypoint: [])
        let viaDockerfile = try await fixture.run("via-dockerfile", files, entrypoint: [])
        #expect(direct.exitCode == 0 && direct.standardOutput == viaDockerfile.standardOutput, "\(direct.combined)\n---\n\(viaDockerfile.combined)")
        #expect(try client.inspect("direct").config?.cmd == (try client.inspect("via-dockerfile").config?.cmd))
        #expect(try client.inspect("direct").layers.count == (try client.inspect("via-dockerfile").layers.count))
        // Incremental: the previous image's saved artifacts bound into assemble's step, as the graph does.
        var incremental = fixture.request(builder, tag: "direct")
        incremental.incremental = true
        let incrementalFile = directory.appending("as-dockerfile-incremental/Dockerfile")
        try await client.s2iWriteDockerfile(incremental, to: incrementalFile)
        let incrementalText = try String(contentsOf: incrementalFile, encoding: .utf8)
        #expect(incrementalText.contains("--mount=type=bind,from=cached,"), "\(incrementalText)")
        try Interop.hoist(["build", "-q", "-t", "via-dockerfile-incremental", incrementalFile.deletingLastPathComponent().path],
                          root: fixture.store).checkedStatus()
        #expect(try await fixture.run("via-dockerfile-incremental", ["ls", "/sti-fake"], entrypoint: []).standardOutput.contains("save-artifacts-invoked"))
        // The CLI refuses --run with --as-dockerfile, as S2I does.
        let refused = try Interop.hoist(["s2i", "build", "--as-dockerfile", directory.appending("x/Dockerfile").path, "--run", application.path, builder],
                                        root: fixture.store)
        #expect(refused.status != 0)
    }

    @Test func networkNoneLabelsContextDirectoryAndStepLimits() async throws {
        let builder = try await fixture.builder("sti-fake")
        let source = directory.appending("monorepo")
        let web = source.appendingPathComponent("services/web")
        try FileManager.default.createDirectory(at: web, withIntermediateDirectories: true)
        try Data("web\n".utf8).write(to: web.appendingPathComponent("index.html"))
        try Data("not part of the application\n".utf8).write(to: source.appendingPathComponent("README"))
        try writeScripts([
            "assemble": "#!/bin/sh\nls /tmp/src > /sti-fake/listing && grep CapEff /proc/self/status > /sti-fake/caps && ls /sys/class/net > /sti-fake/interfaces\n",
            "run": "#!/bin/sh\ncat /sti-fake/listing /sti-fake/interfaces /sti-fake/caps\n",
        ], in: web)
        var request = S2IRequest(source: source, builderImage: builder, tag: "web:1")
        request.contextDirectory = "services/web"
        request.displayName = "Web"
        request.description = "The web service"
        request.capabilitiesDropped = ["CHOWN"]
        request.network = .none
        try await client.s2iBuild(request)
        let labels = try client.inspect("web:1").config?.labels ?? [:]
        #expect(labels["io.k8s.display-name"] == "Web")
        #expect(labels["io.k8s.description"] == "The web service")
        #expect(labels["io.openshift.s2i.build.source-location"] == source.path)
        #expect(labels["io.openshift.s2i.build.source-context-dir"] == "services/web")
        let run = try await fixture.run("web:1")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.prefix(2) == ["index.html", "lo"], "the context directory as the source, loopback only: \(run.combined)")
        let mask = UInt64(lines.last?.split(separator: "\t").last.map(String.init) ?? "", radix: 16) ?? 1
        #expect(mask & 1 == 0, "CAP_CHOWN dropped")

        // A memory limit bounds assemble: past it, the step is killed.
        let hungry = directory.appending("hungry")
        try FileManager.default.createDirectory(at: hungry, withIntermediateDirectories: true)
        try writeScripts(["assemble": "#!/bin/sh\nhead -c 200000000 /dev/zero | tr '\\\\0' a | sort > /dev/null\n", "run": "#!/bin/sh\ntrue\n"],
                         in: hungry)
        var limited = S2IRequest(source: hungry, builderImage: builder, tag: "hungry")
        limited.memoryBytes = 32 << 20
        let killed = await #expect(throws: BuildError.self) { try await client.s2iBuild(limited) }
        #expect(killed?.exitCode == 137, "\(String(describing: killed))")
        request.contextDirectory = "../elsewhere"
        let outside = await #expect(throws: S2IError.self) { try await client.s2iBuild(request) }
        #expect(outside?.message.contains("leaves the source") == true)
    }

    @Test func theSwiftAPIReportsEventsAndErrorsSayWhatIsWrong() async throws {
        let builder = try await fixture.builder("sti-fake-scripts")
        let events = EventLog()
        try await client.s2iBuild(fixture.request(builder, tag: "api"), progress: events.progress)
        #expect(events.started.contains { $0.contains("assemble") }, "\(events.started)")
        #expect(events.completed.contains { $0.contains("assemble") }, "\(events.completed)")

        let noScripts = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(S2IRequest(source: application, builderImage: fixture.busybox, tag: "x"))
        }
        #expect(noScripts?.message.contains("no assemble script") == true && noScripts?.message.contains(".s2i/bin") == true)
        #expect(noScripts?.message.contains("image:///usr/libexec/s2i") == true, "the default image scripts place is searched and named")
        let missing = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(S2IRequest(source: directory.appending("nowhere"), builderImage: builder))
        }
        #expect(missing?.code == .notFound)
        // A scripts URL with no scripts at all is refused, as S2I refuses it.
        let empty = directory.appending("no-scripts")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = await #expect(throws: S2IError.self) {
            try await client.s2iBuild(fixture.request(builder, tag: "x", scriptsURL: "file://" + empty.path))
        }
        #expect(none?.message.contains("could not download any scripts") == true)
        // --pull-policy never with a builder that is not there.
        var never = fixture.request("nowhere/builder:1", tag: "x")
        never.builderPullPolicy = .never
        let absent = await #expect(throws: S2IError.self) { try await client.s2iBuild(never) }
        #expect(absent?.code == .notFound && absent?.message.contains("--pull-policy never") == true)

        let failing = directory.appending("failing")
        try FileManager.default.createDirectory(at: failing, withIntermediateDirectories: true)
        try writeScripts(["assemble": "#!/bin/sh\necho cannot compile >&2\nexit 3\n"], in: failing)
        let cli = try Interop.hoist(["s2i", "build", "--progress", "plain", failing.path, builder, "broken"], root: fixture.store)
        #expect(cli.status != 0)
        #expect(cli.errorText.contains("exit code: 3") && cli.errorText.contains("cannot compile"), "\(cli.errorText)")
        // S2I's spellings of the pull policies.
        let policy = try Interop.hoist(["s2i", "build", "--pull-policy", "if-not-present", "--runtime-pull-policy", "never",
                                        "--incremental-pull-policy", "always", application.path, builder, "spelled"], root: fixture.store)
        #expect(policy.status == 0, "\(policy.errorText)")
        let wrong = try Interop.hoist(["s2i", "build", "--pull-policy", "sometimes", application.path, builder], root: fixture.store)
        #expect(wrong.status != 0 && wrong.errorText.contains("always, never or if-not-present"), "\(wrong.errorText)")
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
}

/// The events of an S2I build, kept for a test to look at.
final class EventLog: Sendable {
    private let events = Mutex<[S2IEvent]>([])

    var progress: S2IProgress {
        S2IProgress { event in self.events.withLock { $0.append(event) } }
    }

    /// The images pulled (each try).
    var pulls: [String] {
        events.withLock { $0.compactMap { if case .pulling(let image, _) = $0 { image } else { nil } } }
    }

    /// The pauses announced after failed pulls that are tried again.
    var failures: [Duration] {
        events.withLock { $0.compactMap { if case .pullFailed(_, _, _, let retryIn) = $0 { retryIn } else { nil } } }
    }

    var notes: [String] {
        events.withLock { $0.compactMap { if case .note(let text) = $0 { text } else { nil } } }
    }

    /// The names of the build steps that started.
    var started: [String] {
        events.withLock { $0.compactMap { if case .build(.started(_, let name, _)) = $0 { name } else { nil } } }
    }

    /// What `--run` or `usage` printed.
    var output: String {
        let bytes = events.withLock { events in
            events.reduce(into: [UInt8]()) { bytes, event in
                if case .output(_, let data) = event { bytes += data }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The names of the build steps that ended (run, not from the cache).
    var completed: [String] {
        events.withLock { $0.compactMap { if case .build(.completed(_, let name, _)) = $0 { name } else { nil } } }
    }
}
