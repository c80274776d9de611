import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// The sandbox of `hoist run` and of `hoist build`'s RUN steps against Docker's on the same
/// image (issue 16): seccomp, privileges, hostname, exit codes, groups and `/dev`, probed by the
/// same commands and a small static program (`Tests/SandboxProbe/probe.c`) that tries system
/// calls Docker's profile blocks. Outputs must be equal, but for the errno a blocked call
/// returns: Docker's own profile answers EPERM where containers/common's (the one Hoist takes
/// from the distribution) answers ENOSYS, so both read "blocked".
@Suite(
    "Sandbox parity with Docker", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc") && Interop.available("gcc")))
struct SandboxParityTests {
    static let image = "hoist-sandbox-probe:1"

    let fixture: BusyboxFixture
    let store: URL

    init() throws {
        fixture = try BusyboxFixture()
        store = fixture.client.store.root.url
        // The busybox root file system with /probe added, imported by both.
        let probe = fixture.directory.appending("probe")
        try ExternalCommand.checked([
            "gcc", "-static", "-O2", "-o", probe.path,
            Interop.packageRoot.appendingPathComponent("Tests/SandboxProbe/probe.c").path,
        ])
        let rootfs = fixture.directory.appending("probe-rootfs.tar")
        try FileManager.default.copyItem(at: fixture.rootfs, to: rootfs)
        try ExternalCommand.checked(["tar", "-rf", rootfs.path, "-C", fixture.directory.path, "probe"])
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", rootfs.path, Self.image])
        try fixture.client.importImage(rootfs: rootfs, as: Self.image, changes: ["CMD [\"sh\"]"])
    }

    /// A blocked system call reads the same whatever errno the profile gives it.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: ": EPERM", with: ": blocked").replacingOccurrences(of: ": ENOSYS", with: ": blocked")
    }

    /// `docker run --rm FLAGS IMAGE COMMAND` and `hoist run --rm FLAGS IMAGE COMMAND`.
    private func both(_ flags: [String], _ command: [String]) throws -> (docker: ExternalCommand.Output, hoist: ExternalCommand.Output) {
        let docker = try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none"] + flags + [Self.image] + command)
        let hoist = try Interop.hoist(["run", "--rm"] + flags + [Self.image] + command, root: store)
        return (docker, hoist)
    }

    static let cases: [(String, [String], [String])] = [
        ("seccomp mode", [], ["grep", "Seccomp:", "/proc/self/status"]),
        ("seccomp unconfined", ["--security-opt", "seccomp=unconfined"], ["grep", "Seccomp:", "/proc/self/status"]),
        ("blocked system calls", [], ["/probe"]),
        ("blocked system calls, unconfined", ["--security-opt", "seccomp=unconfined"], ["/probe"]),
        ("CAP_SYS_ADMIN opens bpf", ["--cap-add", "SYS_ADMIN"], ["/probe"]),
        ("no-new-privileges", ["--security-opt", "no-new-privileges"], ["grep", "NoNewPrivs:", "/proc/self/status"]),
        ("--hostname", ["--hostname", "parity"], ["hostname"]),
        ("-h", ["-h", "parity"], ["hostname"]),
        ("default hostname length", [], ["sh", "-c", "hostname | wc -c"]),
        ("missing command", [], ["no-such-command"]),
        ("not executable", [], ["/etc/passwd"]),
        ("unknown user", ["-u", "no-such-user"], ["true"]),
        ("uid out of range", ["-u", "4294967295"], ["true"]),
        ("id as root", [], ["id"]),
        ("id as nobody", ["-u", "nobody"], ["id"]),
        ("id with a group", ["-u", "nobody:daemon"], ["id"]),
        ("/dev", [], ["ls", "/dev"]),
        ("capabilities", [], ["grep", "-E", "CapEff:|CapBnd:", "/proc/self/status"]),
    ]

    @Test(arguments: cases.map(\.0))
    func runMatchesDocker(name: String) throws {
        let (_, flags, command) = try #require(Self.cases.first { $0.0 == name })
        let (docker, hoist) = try both(flags, command)
        #expect(hoist.status == docker.status, "\(name): exit \(hoist.status) under hoist, \(docker.status) under docker; hoist said \(hoist.errorText)")
        #expect(Self.normalized(hoist.text) == Self.normalized(docker.text), "\(name):\nhoist:\n\(hoist.text)\ndocker:\n\(docker.text)")
    }

    /// Docker 20.10 cannot start a privileged container where its own bounding set lacks a
    /// capability (this VM's lacks CAP_SYS_RESOURCE: "unable to apply caps"); Hoist grants what
    /// the host has. Checked on its own: every capability of the host, no filter, the host's devices.
    @Test func privilegedContainersGetWhatTheHostHas() throws {
        let status = try Interop.hoist(
            ["run", "--rm", "--privileged", Self.image, "sh", "-c", "grep -E 'Seccomp:|CapEff:' /proc/self/status; ls /dev | wc -l"],
            root: store)
        #expect(status.status == 0, "\(status.errorText)")
        let host = try String(contentsOfFile: "/proc/self/status", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("CapBnd:") }.map { $0.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces) }
        let lines = status.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("Seccomp:\t0"), "\(lines)")
        #expect(lines.contains("CapEff:\t\(try #require(host))"), "\(lines)")
        let devices = Int(lines.last ?? "") ?? 0
        #expect(devices > 20, "a privileged container sees \(devices) entries in /dev")
    }

    @Test func runStepsMatchBuildKit() async throws {
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("""
            FROM \(Self.image)
            RUN (/probe; id; hostname; ls /dev; grep -E "Seccomp:|NoNewPrivs:|CapEff:" /proc/self/status) > /sandbox.txt 2>&1
            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let tag = uniqueDockerName("sandbox")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }
        try ExternalCommand.checked(
            [Interop.docker, "build", "--network=none", "-t", tag, context.path], environment: ["DOCKER_BUILDKIT": "1"])
        _ = try await fixture.client.build(BuildOptions(context: context, tags: [tag]))
        let docker = try ExternalCommand.checked([Interop.docker, "run", "--rm", "--network=none", tag, "cat", "/sandbox.txt"]).text
        let hoist = try await fixture.client.image(tag).instantiate(.command(["cat", "/sandbox.txt"])).run().checked().standardOutput
        #expect(Self.normalized(hoist) == Self.normalized(docker), "RUN step sandbox:\nhoist:\n\(hoist)\nBuildKit:\n\(docker)")
    }
}
