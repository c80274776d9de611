import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Testing

/// The embedding API — `client.image(…).instantiate(…).run()` — through each backend: real
/// runc/crun for native, a real dockerd for docker, a real containerd for containerd. Every
/// test runs unchanged on each unless it says why not.
@Suite("Container API", .serialized)
struct ContainerAPITests {
    private func on(_ backend: Backend, _ body: (BackendFixture) async throws -> Void) async throws {
        try await BackendFixture.using(backend, body)
    }

    @Test(arguments: TestBackends.all)
    func exitCodesAreResultsNotErrors(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            #expect(try await busybox.instantiate(.shell("exit 0")).run().exitCode == 0)
            let failed = try await busybox.instantiate(.shell("echo compiler says no >&2; exit 1")).run()
            #expect(failed.exitCode == 1)
            #expect(failed.standardError == "compiler says no\n", "logs are kept when the command fails")
            // PID 1 ignores signals sent from inside its namespace (and a lone `sh -c` command is exec'd), so a child is killed.
            #expect(try await busybox.instantiate(.shell("sh -c 'kill -9 $$'; exit $?")).run().exitCode == 137)
        }
    }

    /// `.shell(shell, script)`: the script runs under the shell chosen, appended to its arguments.
    @Test(arguments: TestBackends.all)
    func shellFormCommandsRunUnderTheChosenShell(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            // pipefail makes the pipeline fail where /bin/sh -c alone goes on.
            let strict = try await busybox.instantiate(.shell(["/bin/ash", "-eo", "pipefail", "-c"], "false | true; echo reached")).run()
            #expect(strict.exitCode == 1 && strict.standardOutput.isEmpty, "\(backend): exit \(strict.exitCode), out \(strict.standardOutput), err \(strict.standardError)")
            let lax = try await busybox.instantiate(.shell("false | true; echo reached")).run()
            #expect(lax.exitCode == 0 && lax.standardOutput == "reached\n", "\(backend): exit \(lax.exitCode), out \(lax.standardOutput), err \(lax.standardError)")
            // The script is the shell's last argument, as given.
            let script = "tr '\\0' '|' </proc/1/cmdline; echo"
            let line = try await busybox.instantiate(.shell(["/bin/sh", "-c"], script)).run()
            #expect(line.standardOutput == "/bin/sh|-c|\(script)|\n", "\(backend): \(line.standardOutput) \(line.standardError)")
            let echoed = try await busybox.instantiate(.shell(["/bin/echo", "-n"], "no shell at all")).run()
            #expect(echoed.standardOutput == "no shell at all", "\(backend): \(echoed.standardOutput) \(echoed.standardError)")
            let empty = await #expect(throws: ContainerError.self) { try await busybox.instantiate(.shell([], "true")).run() }
            #expect(empty?.code == .invalidArgument, "\(String(describing: empty))")
        }
    }

    @Test(arguments: TestBackends.all)
    func streamsAreKeptApartAndCombinedInOrder(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            let run = try await busybox.instantiate(.shell("echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2")).run()
            #expect(run.standardOutput == "out1\nout2\n")
            #expect(run.standardError == "err1\n")
            #expect(run.combined == "out1\nerr1\nout2\n")
        }
    }

    @Test(arguments: TestBackends.all)
    func largeOutputDoesNotDeadlock(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            let run = try await busybox.instantiate(.shell("head -c 104857600 /dev/zero; head -c 1048576 /dev/zero >&2")).run()
            #expect(run.exitCode == 0)
            #expect(run.standardOutputData.count == 104_857_600)
            #expect(run.standardErrorData.count == 1_048_576)
        }
    }

    @Test(arguments: TestBackends.all)
    func stdinEnvironmentDirectoryAndUser(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            let run = try await busybox.instantiate(
                .shell("cat; echo \"$GREETING\"; pwd; id -u"), .standardInput(Data("from stdin\n".utf8)),
                .environment(["GREETING": "hello"]), .workingDirectory("/tmp"), .user("daemon")
            ).run()
            #expect(run.standardOutput == "from stdin\nhello\n/tmp\n1\n", "\(run.combined)")
        }
    }

    @Test(arguments: TestBackends.all)
    func aReadOnlyVolumeRefusesWrites(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            let shared = fixture.directory.appending("shared")
            try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
            try Data("host file\n".utf8).write(to: shared.appendingPathComponent("in.txt"))
            let run = try await busybox.instantiate(
                .shell("cat /data/in.txt; touch /data/new"), .volume(host: shared.path, container: "/data", readOnly: true)
            ).run()
            #expect(run.standardOutput == "host file\n")
            #expect(run.exitCode != 0)
            #expect(!FileManager.default.fileExists(atPath: shared.appendingPathComponent("new").path))
        }
    }

    @Test(arguments: TestBackends.all)
    func aMemoryLimitKills(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            // sort keeps its whole input, a single 200 MB line, in memory.
            let run = try await busybox.instantiate(
                .shell("head -c 200000000 /dev/zero | tr '\\\\0' a | sort > /dev/null"), .memory(32 << 20)
            ).run()
            #expect(run.exitCode == 137, "exit \(run.exitCode): \(run.standardError)")
        }
    }

    @Test(arguments: TestBackends.all)
    func cancellingTheTaskKillsTheContainer(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            let marker = Int.random(in: 100_000..<999_999)
            let task = Task { try await busybox.instantiate(.shell("exec sleep \(marker)")).run() }
            // Wait until the container's process exists, then cancel.
            for _ in 0..<200 where try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text.isEmpty {
                try await Task.sleep(for: .milliseconds(25))
            }
            task.cancel()
            await #expect(throws: (any Error).self) { try await task.value }
            let left = try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text
            #expect(left.isEmpty, "still running: \(left)")
        }
    }

    @Test(arguments: TestBackends.all)
    func existsAndErrors(backend: Backend) async throws {
        try await on(backend) { fixture in
            let busybox = fixture.busybox
            #expect(await busybox.exists())
            #expect(await !fixture.client.image("nothere").exists())
            let missing = await #expect(throws: ContainerError.self) { try await fixture.client.image("nothere").instantiate(.shell("true")).run() }
            #expect(missing?.operation == .run && missing?.code == .notFound, "\(String(describing: missing))")
            await #expect(throws: (any Error).self) { try await busybox.instantiate(.command(["/no/such/program"])).run() }
            await #expect(throws: ContainerError.self) {
                try await busybox.instantiate(.shell("true"), .volume(host: "/no/such/dir", container: "/x", readOnly: false)).run()
            }
        }
    }
}
