import Foundation
import HoistTestSupport
import Testing

/// The `hoist` executable as a user meets it: output, exit codes and error lines.
@Suite("hoist command line")
struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let directory = try TemporaryDirectory()
        let version = try Interop.hoist(["--version"], root: directory.url)
        #expect(version.status == 0)
        #expect(!version.text.isEmpty)
        let help = try Interop.hoist(["--help"], root: directory.url)
        #expect(help.status == 0)
        for command in ["images", "inspect", "import", "load", "save"] {
            #expect(help.text.contains(command), "--help does not mention \(command):\n\(help.text)")
        }
    }

    @Test func importImagesInspectSaveLoad() throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)

        let imported = try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "demo:1"], root: store)
        #expect(imported.status == 0, "\(imported.errorText)")
        #expect(imported.text.hasPrefix("sha256:"))

        let images = try Interop.hoist(["images"], root: store)
        #expect(images.text.contains("REPOSITORY"))
        #expect(images.text.contains("demo"))
        let json = try Interop.hoist(["images", "--format", "json"], root: store)
        // One object per line, with Docker's keys.
        let lines = json.text.split(separator: "\n")
        #expect(lines.count == 1, "\(json.text)")
        let listed = try JSONSerialization.jsonObject(with: Data(lines.first.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any]
        #expect(listed?["Repository"] as? String == "demo" && listed?["Tag"] as? String == "1", "\(json.text)")

        let inspect = try Interop.hoist(["inspect", "demo:1"], root: store)
        let details = try JSONSerialization.jsonObject(with: inspect.standardOutput) as? [[String: Any]]
        #expect((details?.first?["RepoTags"] as? [String]) == ["demo:1"])

        let archive = directory.appending("demo.tar")
        #expect(try Interop.hoist(["save", "-o", archive.path, "demo:1"], root: store).status == 0)
        let other = directory.appending("other")
        let load = try Interop.hoist(["load", "-i", archive.path], root: other)
        #expect(load.text == "Loaded image: demo:1\n", "\(load.errorText)")
    }

    @Test func errorsAreOneLineAndExitNonZero() throws {
        let directory = try TemporaryDirectory()
        let cases: [([String], String)] = [
            (["inspect", "nosuch"], "no such image: nosuch:latest"),
            (["load", "-i", "/nonexistent/file.tar"], "/nonexistent/file.tar: no such file"),
            (["import", "/nonexistent/rootfs.tar", "x"], "/nonexistent/rootfs.tar: no such file"),
            (["import", "/etc/hostname", "UPPER"], "must be lowercase"),
        ]
        for (arguments, message) in cases {
            let output = try Interop.hoist(arguments, root: directory.appending("store"))
            #expect(output.status == 1, "hoist \(arguments) exited \(output.status)")
            #expect(output.errorText.hasPrefix("hoist: "), "stderr: \(output.errorText)")
            #expect(output.errorText.contains(message), "stderr of hoist \(arguments): \(output.errorText)")
        }
    }

    @Test func buildCheckPrintsLocatedWarningsAndDockerfileErrorsShowTheLine() throws {
        let directory = try TemporaryDirectory()
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox AS Build\nMAINTAINER me\nCMD echo hi\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let check = try Interop.hoist(["build", "--check", context.path], root: directory.appending("store"))
        #expect(check.status == 0, "\(check.errorText)")
        for expected in ["Dockerfile:1:1: StageNameCasing", "Dockerfile:2:1: MaintainerDeprecated", "Dockerfile:3:1: JSONArgsRecommended"] {
            #expect(check.text.contains(expected), "--check output lacks \(expected):\n\(check.text)")
        }

        try Data("FROM busybox\nFROBNICATE all the things\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let build = try Interop.hoist(["build", context.path], root: directory.appending("store"))
        #expect(build.status == 1)
        #expect(build.errorText.contains("Dockerfile:2:1: unknown instruction: FROBNICATE"), "stderr: \(build.errorText)")
        #expect(build.errorText.contains("FROBNICATE all the things"), "the offending line is shown: \(build.errorText)")
    }

    @Test(.enabled(if: Interop.isRoot && Interop.available("runc")))
    func buildsPrintTheirWarningsAfterTheSteps() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.storeWithBusybox(in: directory)
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox AS Build\nMAINTAINER me\nCMD echo hi\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))

        let plain = try Interop.hoist(["build", "--progress", "plain", "-t", "warned", context.path], root: store)
        #expect(plain.status == 0, "\(plain.errorText)")
        let tail = plain.errorText.components(separatedBy: " 3 warnings found:\n").last ?? ""
        #expect(plain.errorText.contains(" 3 warnings found:\n"), "\(plain.errorText)")
        for expected in [" - Dockerfile:1:1: StageNameCasing", " - Dockerfile:2:1: MaintainerDeprecated", " - Dockerfile:3:1: JSONArgsRecommended"] {
            #expect(tail.contains(expected), "after the steps: \(expected) in \(plain.errorText)")
        }

        let json = try Interop.hoist(["build", "--progress", "rawjson", "-t", "warned", context.path], root: store)
        // BuildKit's SolveStatus objects, one per line, and nothing else on the stream.
        let lines = json.errorText.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count && !lines.isEmpty, "a line that is not JSON: \(json.errorText)")
        let vertexes = objects.flatMap { $0["vertexes"] as? [[String: Any]] ?? [] }
        #expect(vertexes.contains { ($0["started"] as? String)?.range(of: #"T\d\d:\d\d:\d\d\.\d+Z$"#, options: .regularExpression) != nil },
                "times to the nanosecond: \(vertexes)")
        let warnings = objects.flatMap { $0["warnings"] as? [[String: Any]] ?? [] }
        let texts = warnings.compactMap { ($0["short"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } }
        #expect(texts.map { String($0.prefix { $0 != ":" }) }.sorted() == ["JSONArgsRecommended", "MaintainerDeprecated", "StageNameCasing"], "\(texts)")
        let maintainer = warnings.first { ($0["short"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self).hasPrefix("Maintainer") } == true }
        let range = (maintainer?["range"] as? [[String: Any]])?.first?["start"] as? [String: Any]
        #expect(range?["line"] as? Int == 2, "\(String(describing: maintainer))")
    }

    @Test(.enabled(if: Interop.isRoot && Interop.available("runc")))
    func runPassesTheExitCodeAndTheLimits() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.storeWithBusybox(in: directory)
        let failing = try Interop.hoist(["run", "busybox", "sh", "-c", "echo out; echo err >&2; exit 42"], root: store)
        #expect(failing.status == 42)
        #expect(failing.text == "out\n")
        #expect(failing.errorText == "err\n")
        let memory = try Interop.hoist(["run", "--memory", "16m", "busybox", "sh", "-c", "head -c 100000000 /dev/zero | tr '\\0' a | sort"], root: store)
        #expect(memory.status == 137)
        let missing = try Interop.hoist(["run", "busybox", "/no/such/program"], root: store)
        #expect(missing.status != 0)
        #expect(missing.errorText.contains("hoist: "), "\(missing.errorText)")
    }

    /// `hoist --debug` (and `HOIST_DEBUG=1`) logs the solver's cache decisions on stderr;
    /// without it, nothing but the progress.
    @Test(.enabled(if: Interop.isRoot)) func debugLoggingIsOffUnlessAsked() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.storeWithBusybox(in: directory)
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nCOPY Dockerfile /copied\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let quiet = try Interop.hoist(["build", "--progress", "plain", context.path], root: store)
        #expect(quiet.status == 0 && !quiet.errorText.contains("hoist.solver"), "\(quiet.errorText)")
        let flagged = try ExternalCommand.run([Interop.hoistExecutable, "--debug", "--root", store.path, "build", "--progress", "plain", context.path])
        #expect(flagged.status == 0 && flagged.errorText.contains("hoist.solver") && flagged.errorText.contains("cache"), "\(flagged.errorText)")
        let variable = try ExternalCommand.run([Interop.hoistExecutable, "build", "--no-cache", "--progress", "plain", context.path],
                                               environment: ["HOIST_ROOT": store.path, "HOIST_DEBUG": "1"])
        #expect(variable.errorText.contains("hoist.solver"), "\(variable.errorText)")
    }

    /// A store in `directory` with busybox imported by `hoist import`.
    private static func storeWithBusybox(in directory: TemporaryDirectory) throws -> URL {
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try Interop.hoist(["import", rootfs.path, "busybox"], root: store).checkedStatus()
        return store
    }
}
