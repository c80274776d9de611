import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Testing

/// `--builder-node` (issue 20): a platform's RUN steps sent to another Docker Engine. The test
/// starts a second dockerd of its own on another socket, standing in for a remote arm64 host.
/// This machine is amd64, so that daemon runs the arm64 steps through the same QEMU handler
/// (binfmt_misc is the kernel's, and its `F` flag serves every container runtime): what is
/// shown is the platform going to another engine, its layers coming back into the index, and
/// the cache keys being where the step ran — not native arm64 speed. In MultiPlatformBuildTests'
/// serialized suite, since it registers the handler too.
extension MultiPlatformBuildTests {
    /// The names of the steps plain progress shows as run (`#N DONE`), not taken from the cache.
    static func stepsRun(_ progress: String) -> [String] {
        var names: [String: String] = [:]
        var run: [String] = []
        for line in progress.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("#") else { continue }
            if parts[1].hasPrefix("DONE ") {
                run.append(names[parts[0]] ?? parts[0])
            } else if names[parts[0]] == nil {
                names[parts[0]] = parts[1]
            }
        }
        return run
    }

    @Test(.timeLimit(.minutes(10)), .enabled(if: TestDockerd.isPossible))
    func aPlatformSentToABuilderNodeJoinsTheIndexAndItsRebuildIsCached() throws {
        let emulation = try Arm64Emulation()
        defer { emulation.restore() }
        let node = try TestDockerd()
        defer { node.stop() }
        let fixture = try Self.twoPlatformBusybox()
        let store = fixture.directory.appending("store")
        // /.dockerenv is in every container of a Docker daemon, never in a runc step's root.
        let context = try Self.context(in: fixture, dockerfile: """
            FROM busybox
            ARG TARGETARCH
            RUN uname -m > /arch && (test -e /.dockerenv && echo dockerd || echo runc) > /ran-in && echo "$TARGETARCH" > /target
            """)
        let files = fixture.directory.appending("files")
        func build(_ tag: String, extra: [String] = []) throws -> ExternalCommand.Output {
            try Interop.hoist(
                ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/amd64,linux/arm64",
                 "--builder-node", "linux/arm64=\(node.address)", "-t", tag] + extra + [context.path],
                root: store)
        }

        let firstStart = Date()
        let built = try build("noded:1", extra: ["--output", "type=local,dest=\(files.path)"])
        #expect(built.status == 0, "\(built.errorText)\n\(node.log.suffix(2000))")
        #expect(Self.stepsRun(built.errorText).filter { $0.contains("RUN ") }.count == 2, "\(built.errorText)")
        #expect(try !node.containersCreated(since: firstStart).isEmpty, "the node ran the arm64 step")

        // Both platforms in the index, the arm64 one built on the node, the amd64 one here.
        let (index, configs) = try Self.index("docker.io/library/noded:1", in: fixture.client.store)
        #expect(index.manifests.compactMap(\.platform).map(\.description).sorted() == ["linux/amd64", "linux/arm64"])
        #expect(configs["arm64"]?.architecture == "arm64" && configs["amd64"]?.architecture == "amd64")
        func read(_ platform: String, _ file: String) throws -> String {
            try String(contentsOf: files.appendingPathComponent("\(platform)/\(file)"), encoding: .utf8)
        }
        #expect(try read("linux_arm64", "arch") == "aarch64\n" && read("linux_arm64", "ran-in") == "dockerd\n")
        #expect(try read("linux_arm64", "target") == "arm64\n")
        #expect(try read("linux_amd64", "arch") == "x86_64\n" && read("linux_amd64", "ran-in") == "runc\n")
        #expect(!FileManager.default.fileExists(atPath: files.appendingPathComponent("linux_arm64/.dockerenv").path),
                "the daemon's own files stay out of the layer")

        // The rebuild runs no step, here or on the node, and makes the same index.
        let secondStart = Date()
        let again = try build("noded:2")
        #expect(again.status == 0, "\(again.errorText)")
        #expect(Self.stepsRun(again.errorText).filter { $0.contains("RUN ") }.isEmpty, "\(again.errorText)")
        #expect(try node.containersCreated(since: secondStart).isEmpty, "the node ran nothing again")
        let (rebuilt, _) = try Self.index("docker.io/library/noded:2", in: fixture.client.store)
        #expect(rebuilt == index, "a cached rebuild makes the same index")
        // What the build made in the node's daemon went with it.
        #expect(try node.docker(["images", "-q"]).text.isEmpty)
        node.stop()
        #expect(node.isRemoved, "the node's directories go with it")
    }
}

/// Builder nodes that cannot be used are refused before anything is built, in one line.
struct BuilderNodeOptionTests {
    @Test func anUnreachableNodeIsOneLineNamingItsSocket() throws {
        let directory = try TemporaryDirectory()
        try Data("FROM scratch\nCOPY f /f\n".utf8).write(to: directory.appending("Dockerfile"))
        try Data("x\n".utf8).write(to: directory.appending("f"))
        let socket = directory.appending("absent.sock").path
        let refused = try Interop.hoist(
            ["build", "-q", "--platform", "linux/amd64,linux/arm64", "--builder-node", "linux/arm64=unix://\(socket)", "-t", "never:1",
             directory.url.path], root: directory.appending("store"))
        #expect(refused.status != 0)
        let lines = refused.errorText.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("builder node linux/arm64") && lines[0].contains(socket), "\(refused.errorText)")
    }

    @Test(arguments: [
        ("linux/s390x=unix:///run/s390x.sock", "the build is not for linux/s390x"),
        ("linux/arm64", "expected PLATFORM=ADDRESS"),
        ("linux/arm64=ssh://arm-host", "Hoist reaches an engine by unix:// or tcp://"),
    ])
    func aNodeThatCannotServeTheBuildIsRefused(node: String, message: String) throws {
        let directory = try TemporaryDirectory()
        try Data("FROM scratch\n".utf8).write(to: directory.appending("Dockerfile"))
        let refused = try Interop.hoist(
            ["build", "-q", "--platform", "linux/amd64,linux/arm64", "--builder-node", node, directory.url.path],
            root: directory.appending("store"))
        #expect(refused.status != 0 && refused.errorText.contains(message), "\(refused.errorText)")
    }
}
