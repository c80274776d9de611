import Foundation
import Hoist
import HoistDockerEngine
import HoistStore
import HoistTestSupport
import Testing

/// `hoist build --backend docker` run by a user who is not root and may only reach the
/// daemon's socket (issue 17): a user the test makes, in the socket's group, builds the
/// differential corpus — each image's files and config equal to the native build by root —
/// and leaves no file of its own outside its store. The user is removed afterwards; the host
/// is otherwise left as it was (the socket is not touched: its group is the user's).
@Suite(
    "Docker worker for a user who is not root", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc") && Interop.available("setpriv")
        && Interop.available("useradd")))
final class DockerWorkerUserTests {
    static let userName = "hoist-docker-user"
    static let socket = "/var/run/docker.sock"
    /// A user ID no image of the other suites uses (their users are 1000 and the like), so the
    /// files the user leaves are told apart from theirs in the shared /tmp.
    static let uid = "47113"

    /// Cases that need what only root has on the docker worker: a stage's files shown to a
    /// `RUN` (`--mount=type=bind,from=…`) are a read-only view of its layers mounted on this
    /// machine, and a cache mount's owner is given with `lchown`.
    static let needRoot: [String: String] = [
        "run-mounts": "RUN --mount=type=bind,from=… mounts a view of the stage's layers",
        "run-mount-rw": "RUN --mount=type=bind,from=…,rw mounts a view of the stage's layers",
        "cache-mount-owners": "a cache mount's directory gets its uid and gid with lchown",
    ]

    let directory: TemporaryDirectory
    /// The user's home: the hoist binary, the corpus, and (under `.local/share/hoist`) its store.
    let home: URL
    let hoist: String
    let uid: String
    /// The user's files outside any store before this test began.
    let foundBefore: Set<String>

    init() throws {
        directory = try TemporaryDirectory()
        var socketInfo = stat()
        guard stat(Self.socket, &socketInfo) == 0, socketInfo.st_mode & 0o060 == 0o060 else {
            throw SocketNotGroupWritable(path: Self.socket)
        }
        if try ExternalCommand.run(["id", "-u", Self.userName]).status != 0 {
            try ExternalCommand.checked(
                ["useradd", "--no-create-home", "--shell", "/bin/sh", "--uid", Self.uid, "--groups", String(socketInfo.st_gid), Self.userName])
        }
        uid = try ExternalCommand.checked(["id", "-u", Self.userName]).text.trimmingCharacters(in: .whitespacesAndNewlines)
        // What a run stopped before its clean-up left (its temporary home) is not this test's.
        foundBefore = try Self.filesOwned(by: uid)
        home = directory.appending("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        hoist = home.appendingPathComponent("hoist").path
        try FileManager.default.copyItem(atPath: Interop.hoistExecutable, toPath: hoist)
        try DifferentialTests.prepareCorpus(at: home.appendingPathComponent("corpus"))
        chmod(directory.path, 0o755)
        try ExternalCommand.checked(["chown", "-R", "\(Self.userName):\(Self.userName)", home.path])
    }

    deinit {
        _ = try? ExternalCommand.run(["pkill", "-KILL", "-u", Self.userName])
        _ = try? ExternalCommand.run(["userdel", Self.userName])
    }

    /// The user's files where any user may write.
    private static func filesOwned(by uid: String) throws -> Set<String> {
        Set(try ExternalCommand.run(["find", "/tmp", "/var/tmp", "/dev/shm", "/run", "-xdev", "-user", uid]).text
            .split(separator: "\n").map(String.init))
    }

    /// `hoist ARGUMENTS` as the user on the docker backend, with `HOME` its home (so its store
    /// is where Hoist puts one by default).
    private func user(_ arguments: [String]) throws -> ExternalCommand.Output {
        try ExternalCommand.run(
            ["setpriv", "--reuid=\(Self.userName)", "--regid=\(Self.userName)", "--init-groups", "--reset-env",
             "env", "HOME=\(home.path)", "HOIST_BACKEND=docker", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             hoist] + arguments,
            directory: home)
    }

    @Test(arguments: DifferentialTests.cases.filter { needRoot[$0] == nil })
    func buildsEqualNativeBuildsByRoot(name: String) async throws {
        try await DifferentialTests.holdingBase(of: name) { try await buildAsTheUser(name) }
    }

    private func buildAsTheUser(_ name: String) async throws {
        let context = home.appendingPathComponent("corpus/\(name)")
        let (arguments, target) = try DifferentialTests.buildOptions(name)
        let fixture = try BusyboxFixture()
        // The native store's very busybox image, in the daemon under the name the cases use.
        let busybox = fixture.directory.appending("busybox.tar")
        try await fixture.client.save(["busybox:latest"], to: busybox)
        try await EngineClient.connect().loadImages(from: busybox)
        let tag = uniqueDockerName("user-\(name)")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag, DifferentialTests.baseName]) }

        let base = context.appendingPathComponent("base")
        if FileManager.default.fileExists(atPath: base.path) {
            try user(["build", "-t", DifferentialTests.baseName, base.path]).checkedStatus()
            _ = try await fixture.client.build(BuildOptions(context: base, tags: [DifferentialTests.baseName]))
        }
        var command = ["build", "--progress", "plain", "-t", tag]
        command += arguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
        command += target.map { ["--target", $0] } ?? []
        let built = try user(command + [context.path])
        let native = await Result { try await fixture.client.build(BuildOptions(context: context, tags: [tag], buildArguments: arguments, target: target)) }
        try expectNothingOutsideTheStore()
        if name.hasPrefix("fail-") {
            #expect(built.status != 0, "the user built \(name), which should fail")
            return
        }
        #expect(built.status == 0, "the user's build of \(name) failed: \(built.errorText.suffix(2000))")
        guard built.status == 0 else { return }
        let nativeImage = try native.get()

        // The user's image, read from a copy of its store (root opening the store itself would
        // leave files in it the user cannot write).
        let copy = directory.appending("store-copy")
        try ExternalCommand.checked(["cp", "-a", home.appendingPathComponent(".local/share/hoist").path, copy.path])
        let reader = try Client(root: StoreRoot(copy))
        let userDetails = try reader.inspect(tag)
        let nativeDetails = try fixture.client.inspect(nativeImage.id.description)
        #expect(DifferentialTests.fields(try #require(userDetails.config)) == DifferentialTests.fields(try #require(nativeDetails.config)),
                "config differs for \(name)")
        #expect(userDetails.layers.count == nativeDetails.layers.count)
        // The daemon holds the very image, under the tag.
        let inDaemon = try ExternalCommand.checked([Interop.docker, "image", "inspect", "--format", "{{.Id}}", tag]).text
        #expect(inDaemon.trimmingCharacters(in: .whitespacesAndNewlines) == userDetails.id.description)
        let userFiles = try DifferentialTests.hoistRootfs(reader, image: userDetails.id.description, into: directory.appending("user-\(name)"))
        let nativeFiles = try DifferentialTests.hoistRootfs(
            fixture.client, image: nativeImage.id.description, into: directory.appending("native-\(name)"))
        let differences = userFiles.differences(from: nativeFiles).filter { line in
            !DifferentialTests.listedPaths(name, in: "worker-differences").contains { line.hasPrefix("\($0): ") }
        }
        #expect(differences.isEmpty, "files differ for \(name) (user on docker ≠ root on native):\n\(differences.prefix(40).joined(separator: "\n"))")
    }

    /// `hoist --backend docker s2i build` by the user: the builder image is the daemon's (built
    /// there by root from S2I's own fixture), the steps run in the daemon, the output image is
    /// the daemon's, and the user needs no root and leaves nothing outside its store.
    @Test func s2iBuildsOnTheDaemonWithoutRoot() async throws {
        let fixture = try await S2IFixture(.docker)
        do {
            let builder = try await fixture.builder("sti-fake-scripts")
            let application = home.appendingPathComponent("app")
            try FileManager.default.copyItem(at: fixture.application, to: application)
            try ExternalCommand.checked(["chown", "-R", "\(Self.userName):\(Self.userName)", application.path])
            let tag = "\(fixture.namespace)/user-out:1"
            let built = try user(["s2i", "build", application.path, builder, tag])
            #expect(built.status == 0, "the user's s2i build failed: \(built.text.suffix(1000)) \(built.errorText.suffix(2000))")
            try expectNothingOutsideTheStore(also: ["app"])
            let listing = try await fixture.runAndList(tag)
            for file in ["assemble-invoked", "run-invoked", "Gemfile"] { #expect(listing.contains(file), "\(listing)") }
            let labels = try await fixture.settings(of: tag).labels
            #expect(labels["io.openshift.s2i.build.image"] == builder, "\(labels)")
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    /// The user's files are its home's (the binary and corpus the test gave it, and the store
    /// Hoist keeps under `.local/share/hoist`), nowhere else a user may write.
    private func expectNothingOutsideTheStore(also allowed: Set<String> = []) throws {
        let found = try Self.filesOwned(by: uid)
            .filter { !$0.hasPrefix(home.path + "/") && $0 != home.path && !foundBefore.contains($0) }
        #expect(found.isEmpty, "the user's files outside its home: \(found.prefix(20))")
        let inHome = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { !["hoist", "corpus", ".local"].contains($0) && !allowed.contains($0) }
        #expect(inHome.isEmpty, "the user's files in its home beside the store: \(inHome)")
        let local = home.appendingPathComponent(".local")
        if FileManager.default.fileExists(atPath: local.path) {
            #expect(try FileManager.default.contentsOfDirectory(atPath: local.path) == ["share"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: local.appendingPathComponent("share").path) == ["hoist"])
        }
    }
}

/// The daemon's socket does not let its group read and write: no group would give the user access.
struct SocketNotGroupWritable: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is not readable and writable by its group" }
}
