import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// Hoist for an unprivileged user (issue 16): a user the test makes, with subordinate ids,
/// runs `hoist` with no more privilege than the distribution's `newuidmap`/`newgidmap` give.
/// It builds the differential corpus — each image's files and config equal to the same build
/// by root — and runs, keeps, execs into and removes containers. The user is removed afterwards.
@Suite(
    "Rootless", .serialized,
    .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("newuidmap") && Interop.available("useradd")))
final class RootlessTests {
    static let userName = "hoist-rootless"

    let directory: TemporaryDirectory
    /// What the user may read and write: the hoist binary, the corpus, its store and runtime directory.
    let home: URL
    let hoist: String
    let store: URL
    let uid: String

    init() throws {
        directory = try TemporaryDirectory()
        if try ExternalCommand.run(["id", "-u", Self.userName]).status != 0 {
            try ExternalCommand.checked(["useradd", "--no-create-home", "--shell", "/bin/sh", Self.userName])
        }
        uid = try ExternalCommand.checked(["id", "-u", Self.userName]).text.trimmingCharacters(in: .whitespacesAndNewlines)
        home = directory.appending("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        hoist = home.appendingPathComponent("hoist").path
        try FileManager.default.copyItem(atPath: Interop.hoistExecutable, toPath: hoist)
        try DifferentialTests.prepareCorpus(at: home.appendingPathComponent("corpus"))
        try Interop.makeBusyboxRootfs(at: home.appendingPathComponent("rootfs.tar"))
        for path in [directory.appending("").path, home.path] { chmod(path, 0o755) }
        try ExternalCommand.checked(["chown", "-R", "\(Self.userName):\(Self.userName)", home.path])
        store = home.appendingPathComponent("store")
        try user(["import", "--change", "CMD [\"sh\"]", home.appendingPathComponent("rootfs.tar").path, "busybox"]).checkedStatus()
    }

    deinit {
        // The session's holder and everything of the user's go with the user.
        _ = try? ExternalCommand.run(["pkill", "-KILL", "-u", Self.userName])
        _ = try? ExternalCommand.run(["userdel", Self.userName])
        if let uid = UInt32(uid) { try? FileManager.default.removeItem(atPath: "/dev/shm/hoist-\(uid)") }
    }

    /// `hoist ARGUMENTS` as the user, with its own store and runtime directory.
    @discardableResult
    private func user(_ arguments: [String], directory: URL? = nil) throws -> ExternalCommand.Output {
        let runtime = home.appendingPathComponent("run")
        return try ExternalCommand.run(
            ["setpriv", "--reuid=\(Self.userName)", "--regid=\(Self.userName)", "--init-groups", "--reset-env",
             "env", "HOME=\(home.path)", "HOIST_ROOT=\(store.path)", "XDG_RUNTIME_DIR=\(runtime.path)",
             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", hoist] + arguments,
            directory: directory ?? home)
    }

    @Test func containersRunAsRootOfTheUsersNamespace() throws {
        let info = try user(["system", "info"])
        #expect(info.text.contains("native: available") && info.text.contains("mode: rootless"), "\(info.text)\(info.errorText)")
        let id = try user(["run", "--rm", "busybox", "id"])
        #expect(id.text == "uid=0(root) gid=0(root) groups=0(root)\n", "\(id.errorText)")
        let nobody = try user(["run", "--rm", "-u", "nobody", "busybox", "sh", "-c", "id -u; touch /tmp/x && stat -c %u /tmp/x"])
        #expect(nobody.text == "65534\n65534\n", "\(nobody.errorText)")
        let status = try user(["run", "--rm", "busybox", "grep", "Seccomp:", "/proc/self/status"])
        #expect(status.text == "Seccomp:\t2\n", "\(status.errorText)")
        // Without a delegated cgroup v2 subtree (this host has none) limits are not applied, and
        // hoist says so.
        let limited = try user(["run", "--rm", "--memory", "64m", "busybox", "true"])
        #expect(limited.status == 0 && limited.errorText.contains("resource limits are not applied"), "\(limited.errorText)")
    }

    @Test func keptContainersWorkAcrossCommands() throws {
        #expect(try user(["run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; sleep 60"]).status == 0)
        let listed = try user(["ps", "--format", "{{.Names}}"])
        #expect(listed.text.contains("web"), "\(listed.text)\(listed.errorText)")
        let exec = try user(["exec", "web", "cat", "/proc/1/cmdline"])
        #expect(exec.status == 0 && exec.text.contains("sleep"), "\(exec.errorText)")
        let copied = home.appendingPathComponent("copied")
        #expect(try user(["cp", "web:/etc/passwd", copied.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: copied.path))
        #expect(try user(["logs", "web"]).text == "started\n")
        #expect(try user(["rm", "-f", "web"]).status == 0)
        #expect(try user(["ps", "-a", "-q"]).text.isEmpty)
    }

    /// Every case of the differential corpus built by the user and by root: equal files and config.
    @Test(arguments: DifferentialTests.cases)
    func buildsEqualRootsBuilds(name: String) async throws {
        let context = home.appendingPathComponent("corpus/\(name)")
        let (arguments, target) = try DifferentialTests.buildOptions(name)
        let base = context.appendingPathComponent("base")
        let rootClient = try Client(root: StoreRoot(directory.appending("root-store")))
        if (try? rootClient.inspect("busybox")) == nil {
            try rootClient.importImage(rootfs: home.appendingPathComponent("rootfs.tar"), as: "busybox", changes: ["CMD [\"sh\"]"])
        }
        if FileManager.default.fileExists(atPath: base.path) {
            try user(["build", "-t", DifferentialTests.baseName, base.path]).checkedStatus()
            _ = try await rootClient.build(BuildOptions(context: base, tags: [DifferentialTests.baseName]))
        }
        var command = ["build", "--progress", "plain", "-t", "case-\(name)"]
        command += arguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
        command += target.map { ["--target", $0] } ?? []
        let built = try user(command + [context.path])
        let rootBuild = await Result { try await rootClient.build(BuildOptions(context: context, tags: ["case-\(name)"], buildArguments: arguments, target: target)) }
        if name.hasPrefix("fail-") {
            #expect(built.status != 0, "the user built \(name), which should fail")
            return
        }
        #expect(built.status == 0, "the user's build of \(name) failed: \(built.errorText.suffix(2000))")
        guard built.status == 0 else { return }
        let rootImage = try rootBuild.get()
        // The user's image, saved by the user and read here (root opening the user's store would
        // leave files in it the user cannot write).
        let saved = home.appendingPathComponent("case-\(name).tar")
        try user(["save", "-o", saved.path, "case-\(name)"]).checkedStatus()
        let reader = try Client(root: StoreRoot(directory.appending("reader-\(name)")))
        let userImage = try #require(try await reader.load(archive: saved).first)
        let userDetails = try reader.inspect(userImage.id.description)
        let rootDetails = try rootClient.inspect(rootImage.id.description)
        #expect(DifferentialTests.fields(try #require(userDetails.config)) == DifferentialTests.fields(try #require(rootDetails.config)),
                "config differs for \(name)")
        #expect(userDetails.layers.count == rootDetails.layers.count)
        let userFiles = try DifferentialTests.hoistRootfs(reader, image: userImage.id.description, into: directory.appending("user-\(name)"))
        let rootFiles = try DifferentialTests.hoistRootfs(rootClient, image: rootImage.id.description, into: directory.appending("root-\(name)"))
        let differences = rootFiles.differences(from: userFiles)
        #expect(differences.isEmpty, "files differ for \(name) (root ≠ rootless):\n\(differences.prefix(40).joined(separator: "\n"))")
    }
}
