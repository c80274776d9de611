import Foundation
import Glibc
import HoistRuntime
import HoistTestSupport
import Synchronization
import Testing

/// Pod isolation's processes (``DirectProcess``): started straight from this process as the
/// step's user, groups, directory, environment and umask; its output; its exit; what it leaves.
@Suite("Direct processes", .enabled(if: getuid() == 0, "switching users needs root"))
struct DirectProcessTests {
    /// Runs `script` with sh as `user` and returns its status, stdout and stderr.
    func run(_ script: String, user: RuntimeSpec.User = RuntimeSpec.User(), cwd: String = "/", env: [String] = ["PATH=/usr/bin:/bin"])
        async throws -> (status: HoistRuntime.ExitStatus, output: String, error: String)
    {
        let output = Mutex(Data())
        let errors = Mutex(Data())
        let status = try await DirectProcess(RuntimeSpec.Process(user: user, args: ["sh", "-c", script], env: env, cwd: cwd)).run(
            standardOutput: { chunk in output.withLock { $0.append(chunk) } },
            standardError: { chunk in errors.withLock { $0.append(chunk) } })
        return (status, String(decoding: output.withLock { $0 }, as: UTF8.self), String(decoding: errors.withLock { $0 }, as: UTF8.self))
    }

    @Test func runsAsTheUserWithExactlyTheGroupsGiven() async throws {
        let result = try await run("id -u; id -g; id -G", user: RuntimeSpec.User(uid: 1234, gid: 5678, additionalGids: [10, 20]))
        #expect(result.output == "1234\n5678\n5678 10 20\n", "\(result)")
        let root = try await run("id -G")
        #expect(root.output == "0\n", "root keeps none of this process's groups: \(root)")
    }

    @Test func directoryEnvironmentUmaskAndInput() async throws {
        let result = try await run("pwd; env | sort; umask; cat; echo to-stderr >&2", cwd: "/tmp", env: ["PATH=/usr/bin:/bin", "A=1"])
        #expect(result.output == "/tmp\nA=1\nPATH=/usr/bin:/bin\nPWD=/tmp\n0022\n", "\(result)")
        #expect(result.error == "to-stderr\n")
    }

    @Test func exitCodesAndSignals() async throws {
        #expect(try await run("exit 7").status == .exited(7))
        #expect(try await run("kill -KILL $$").status == .signalled(9))
    }

    @Test func aMissingCommandIsAStartFailure() async throws {
        let missing = await #expect(throws: RuntimeError.self) {
            try await DirectProcess(RuntimeSpec.Process(args: ["hoist-no-such-command"], env: ["PATH=/usr/bin:/bin"])).run(
                standardOutput: { _ in }, standardError: { _ in })
        }
        #expect(missing?.startFailure == .commandNotFound && missing?.code == .notFound, "\(String(describing: missing))")
        let notExecutable = await #expect(throws: RuntimeError.self) {
            try await DirectProcess(RuntimeSpec.Process(args: ["/etc/passwd"], env: [])).run(standardOutput: { _ in }, standardError: { _ in })
        }
        #expect(notExecutable?.startFailure == .notExecutable, "\(String(describing: notExecutable))")
        let badDirectory = await #expect(throws: RuntimeError.self) {
            try await DirectProcess(RuntimeSpec.Process(args: ["true"], env: ["PATH=/usr/bin:/bin"], cwd: "/hoist-no-such-directory")).run(
                standardOutput: { _ in }, standardError: { _ in })
        }
        #expect(badDirectory?.code == .failedPrecondition)
    }

    // The background sleep keeps stdout open: the step must still end (the time limit, below the
    // sleep's 300 s, fails a step that waits for it), and the sleep with it.
    @Test(.timeLimit(.minutes(4)))
    func whatTheStepLeftRunningIsKilled() async throws {
        let result = try await run("sleep 300 & echo $!")
        let pid = try #require(Int32(result.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        var alive = true
        for _ in 0..<100 where alive {
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            alive = state != nil && state != "Z" && state != "X"
            if alive { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!alive, "the step's background process \(pid) is still running")
    }
}

/// How pod isolation knows it runs in a container, from the marks engines leave.
@Suite("Container detection")
struct ContainerDetectionTests {
    @Test func markerFilesVariablesAndCgroups() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.path
        #expect(ContainerDetection.evidence(environment: [:], root: empty, cgroups: "0::/\n") == nil)
        #expect(ContainerDetection.evidence(environment: [:], root: empty, cgroups: "") == nil)
        try Data().write(to: directory.appending(".dockerenv"))
        #expect(ContainerDetection.evidence(environment: [:], root: empty, cgroups: "") == "/.dockerenv exists")
        let other = try TemporaryDirectory()
        #expect(ContainerDetection.evidence(environment: ["container": "podman"], root: other.path, cgroups: "") == "$container is podman")
        #expect(ContainerDetection.evidence(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"], root: other.path, cgroups: "") != nil)
        for cgroups in [
            "12:pids:/docker/4468fe78037eb6210569fa34ff2dd45de181d7bc57210e7a0831257661cc893e\n",
            "11:memory:/kubepods/burstable/pod1234/abcd\n",
            "0::/system.slice/containerd.service/kubepods-besteffort.slice:cri-containerd:abcd\n",
            "0::/machine.slice/libpod-1234.scope\n",
        ] {
            #expect(ContainerDetection.evidence(environment: [:], root: other.path, cgroups: cgroups) != nil, "\(cgroups)")
        }
        #expect(ContainerDetection.evidence(environment: [:], root: other.path, cgroups: "9:name=systemd:/\n8:pids:/user.slice\n") == nil)
    }
}
