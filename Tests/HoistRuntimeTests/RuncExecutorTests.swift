#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI
@testable import HoistRuntime
import HoistStore
import HoistTestSupport
import Synchronization
import Testing

@Suite("RuncExecutor", .enabled(if: canRunContainers, "needs root and runc"))
struct RuncExecutorTests {
    @Test(arguments: testRuntimes, [0, 1, 42])
    func exitCodeIsReturned(_ runtime: OCIRuntime, _ code: Int32) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(shell("exit \(code)"))
        #expect(run.code == code, "stderr: \(run.error)")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func killedContainerReports137(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let marker = Int.random(in: 100_000..<999_999)
        let output = OutputCollector()
        // A process cannot SIGKILL its own pid namespace's init; the host can.
        let killer = Task {
            while !String(decoding: output.standardOutput, as: UTF8.self).contains("before") {
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = try ExternalCommand.run(["pkill", "-KILL", "-f", "sleep \(marker)"])
        }
        let code = try await fixture.executor.run(
            shell("echo before; exec sleep \(marker)"), rootfs: .directory(fixture.rootfs),
            io: ContainerIO(standardOutput: { output.append($0, error: false) }, standardError: { output.append($0, error: true) }))
        try await killer.value
        #expect(code == 137, "stderr: \(String(decoding: output.standardError, as: UTF8.self))")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func stdoutAndStderrStayApart(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(shell("for i in 1 2 3; do echo out$i; echo err$i >&2; done"))
        #expect(run.code == 0)
        #expect(run.output == "out1\nout2\nout3\n")
        #expect(run.error == "err1\nerr2\nerr3\n")
    }

    @Test(arguments: testRuntimes)
    func hundredMegabytesOfOutputDoNotBlock(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let total = Mutex(0)
        let errors = Mutex(0)
        let code = try await fixture.executor.run(
            shell("head -c 104857600 /dev/zero; head -c 1048576 /dev/zero >&2"), rootfs: .directory(fixture.rootfs),
            io: ContainerIO(
                standardOutput: { chunk in total.withLock { $0 += chunk.count } },
                standardError: { chunk in errors.withLock { $0 += chunk.count } }))
        #expect(code == 0)
        #expect(total.withLock { $0 } == 104_857_600)
        #expect(errors.withLock { $0 } == 1_048_576)
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func stdinIsPipedIn(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let input = Data((0..<(2 << 20)).map { UInt8($0 % 251) })
        let run = try await fixture.run(ContainerSettings(arguments: ["sh", "-c", "cat; echo done >&2"]), input: .data(input))
        #expect(run.code == 0)
        #expect(run.standardOutput == input, "got \(run.standardOutput.count) bytes back of \(input.count)")
        #expect(run.error == "done\n")
    }

    @Test(arguments: testRuntimes)
    func environmentWorkingDirectoryAndDefaultPath(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(
            shell("echo $GREETING; pwd; echo $PATH; echo $HOME; hostname") {
                $0.environment = ["GREETING=hello there"]
                $0.workingDirectory = "/work/deep/dir"
                $0.hostname = "builder"
            })
        #expect(run.code == 0, "stderr: \(run.error)")
        #expect(run.output == "hello there\n/work/deep/dir\n\(RuntimeSpecBuilder.defaultPath)\n/root\nbuilder\n")
    }

    @Test(arguments: testRuntimes, [
        ("daemon", "1 1 1"), ("1234", "1234 0 0"), ("1234:5678", "1234 5678 5678"), ("nobody:daemon", "65534 1 1"),
        ("", "0 0 0"),
    ])
    func userIsResolved(_ runtime: OCIRuntime, _ user: (String, String)) async throws {
        let (user, expected) = user
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(shell("echo $(id -u) $(id -g) $(id -G)") { $0.user = user })
        #expect(run.code == 0, "stderr: \(run.error)")
        #expect(run.output == expected + "\n", "user \(user)")
    }

    @Test(arguments: testRuntimes)
    func unknownUserIsAClearError(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let error = await #expect(throws: RuntimeError.self) { try await fixture.run(shell("true") { $0.user = "ghost" }) }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("ghost") == true, "\(String(describing: error))")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func missingCommandIsAClearError(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let error = await #expect(throws: RuntimeError.self) {
            try await fixture.run(ContainerSettings(arguments: ["no-such-program", "arg"]))
        }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("no-such-program") == true, "\(String(describing: error))")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func readOnlyBindMountRefusesWrites(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let shared = fixture.directory.appending("shared").path
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try Data("from host\n".utf8).write(to: URL(fileURLWithPath: shared + "/file"))
        let writable = fixture.directory.appending("writable").path
        try FileManager.default.createDirectory(atPath: writable, withIntermediateDirectories: true)
        let run = try await fixture.run(
            shell("cat /data/file; echo x > /out/made; echo y > /data/new") {
                $0.mounts = [
                    .bind(source: shared, destination: "/data", readOnly: true),
                    .bind(source: writable, destination: "/out", readOnly: false),
                ]
            })
        #expect(run.code != 0)
        #expect(run.output == "from host\n")
        #expect(run.error.contains("Read-only file system"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: shared + "/new"))
        #expect(FileManager.default.fileExists(atPath: writable + "/made"))
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func readOnlyRootAndTmpfs(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(
            shell("echo ok > /scratch/f && cat /scratch/f; touch /root-file") {
                $0.readOnlyRootFilesystem = true
                $0.mounts = [.tmpfs(destination: "/scratch", sizeBytes: 1 << 20)]
            })
        #expect(run.output == "ok\n")
        #expect(run.code != 0 && run.error.contains("Read-only"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: fixture.rootfs + "/root-file"))
    }

    @Test(arguments: testRuntimes)
    func memoryLimitKills(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(
            shell("x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo survived") {
                $0.resources.memoryBytes = 32 << 20
            })
        #expect(run.code == 137, "exit \(run.code), stdout \(run.output), stderr \(run.error)")
        #expect(!run.output.contains("survived"))
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func pidsLimitIsEnforced(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(
            shell("cat /sys/fs/cgroup/pids/pids.max; for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait") {
                $0.resources.pidsLimit = 5
            })
        #expect(run.output == "5\n")
        #expect(run.error.contains("fork"), "stderr: \(run.error)")
    }

    @Test(arguments: testRuntimes)
    func networkNoneHasOnlyLoopback(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let run = try await fixture.run(shell("ls /sys/class/net"))
        #expect(run.code == 0, "stderr: \(run.error)")
        #expect(run.output == "lo\n")
        let host = try await fixture.run(shell("ls /sys/class/net") { $0.network = .host })
        // Containers of other tests come and go meanwhile, each with a veth: those are left out.
        func lasting(_ names: [String]) -> [String] { names.filter { !$0.hasPrefix("veth") }.sorted() }
        let hostInterfaces = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")
        #expect(lasting(host.output.split(separator: "\n").map(String.init)) == lasting(hostInterfaces))
    }

    @Test(arguments: testRuntimes)
    func dockerDefaultCapabilitiesAndMaskedPaths(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        // Of Docker's masked paths, these exist on every kernel we run on.
        let run = try await fixture.run(
            shell("grep -E '^Cap(Eff|Bnd)' /proc/self/status; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; echo x > /proc/sys/kernel/hostname"))
        // Docker's default set as the kernel prints it.
        #expect(run.output == "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n0\n0\n", "stderr: \(run.error)")
        #expect(run.code != 0 && run.error.contains("Read-only"), "writing /proc/sys: exit \(run.code), \(run.error)")
        let dropped = try await fixture.run(
            shell("grep ^CapEff /proc/self/status; chown 1 /tmp") {
                $0.capabilitiesDropped = ["CHOWN"]
                $0.capabilitiesAdded = ["sys_admin"]
            })
        #expect(dropped.output == "CapEff:\t00000000a82425fa\n")
        #expect(dropped.code != 0, "chown without CAP_CHOWN succeeded")
        let user = try await fixture.run(shell("grep ^CapEff /proc/self/status") { $0.user = "daemon" })
        #expect(user.output == "CapEff:\t0000000000000000\n")
    }

    // The sleep would outlast any run: a hang here means the kill did not happen.
    @Test(.timeLimit(.minutes(1)), arguments: testRuntimes)
    func cancellingTheTaskKillsTheContainer(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let marker = Int.random(in: 100_000..<999_999)
        let output = OutputCollector()
        let task = Task {
            try await fixture.executor.run(
                shell("echo started; exec sleep \(marker)"), rootfs: .directory(fixture.rootfs),
                io: ContainerIO(standardOutput: { output.append($0, error: false) }, standardError: { output.append($0, error: true) }))
        }
        while output.standardOutput.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("the run returned \(result) instead of throwing")
            return
        }
        #expect((error as? RuntimeError)?.code == .cancelled, "\(error)")
        let sleepers = try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text
        #expect(sleepers.isEmpty, "processes left: \(sleepers)")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func cancellingBeforeTheStartStillCleansUp(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let marker = Int.random(in: 100_000..<999_999)
        let task = Task { try await fixture.run(shell("exec sleep \(marker)")) }
        task.cancel()
        _ = await task.result
        let sleepers = try ExternalCommand.run(["pgrep", "-f", "sleep \(marker)"]).text
        #expect(sleepers.isEmpty, "processes left: \(sleepers)")
        try fixture.expectClean()
    }

    @Test(arguments: testRuntimes)
    func runsOnASnapshotAndTheChangeBecomesALayer(_ runtime: OCIRuntime) async throws {
        let fixture = try ContainerFixture(runtime)
        let store = try Store(root: StoreRoot(fixture.directory.appending("store")))
        let snapshotter = try store.snapshotter()
        let tar = try ContainerFixture.busyboxTar()
        let unpacked = try LayerUnpacker(snapshotter: snapshotter).unpack([
            LayerUnpacker.Layer(diffID: try Self.digest(of: tar)) { try FileByteSource(path: tar) }
        ])
        let base = try #require(unpacked.key)
        let step = try SnapshotKey("step")
        let mounts = try snapshotter.prepare(key: step, parent: base)
        let run = try await fixture.run(shell("echo made > /made; rm /bin/vi; id -un") { $0.user = "root" }, rootfs: .mounts(mounts))
        #expect(run.code == 0, "stderr: \(run.error)")
        #expect(run.output == "root\n")
        try fixture.expectClean()
        var sink = MemoryByteSink()
        try snapshotter.diff(step, to: &sink)
        var reader = TarReader(MemoryByteSource(sink.bytes))
        var names: [String] = []
        while let header = try reader.next() { names.append(header.name) }
        #expect(names.contains("made") && names.contains("bin/.wh.vi"), "layer entries: \(names)")
        try snapshotter.remove(step)
    }

    static func digest(of path: String) throws -> Digest {
        var source = DigestingSource(try FileByteSource(path: path))
        _ = try source.drain()
        return source.digest
    }
}

@Suite("OCIRuntime", .enabled(if: canRunContainers, "needs root and runc"))
struct OCIRuntimeTests {
    @Test func runcPassesTheProbe() throws {
        let directory = try TemporaryDirectory()
        #expect(try OCIRuntime.runc().probe(in: directory.url))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aBinaryThatIsNoRuntimeFailsTheProbe() throws {
        let directory = try TemporaryDirectory()
        #expect(!OCIRuntime(name: "true", executable: "/bin/true").probe(in: directory.url))
        #expect(!OCIRuntime(name: "sh", executable: "/bin/sh", launcher: ["/bin/false"]).probe(in: directory.url))
    }

    @Test func crunUnwrappedIsRefusedOnHybridCgroupsButWorksWrapped() throws {
        guard OCIRuntime.hasHybridCgroups, let crun = try? OCIRuntime.crun() else { return }
        let directory = try TemporaryDirectory()
        #expect(!crun.launcher.isEmpty)
        #expect(!OCIRuntime(name: "crun", executable: crun.executable).probe(in: directory.url))
        #expect(crun.probe(in: directory.url))
    }
}
