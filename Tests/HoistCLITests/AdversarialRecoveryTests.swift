#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Issue 15, items 10 and 12 and the kill trials, as an attacker (or an unlucky user) would try
/// them: `hoist` processes killed with SIGKILL mid-work, and what pruning reclaims. Each test
/// does the attack and checks that what it used to leak or break holds now.
@Suite("Adversarial: killed processes and reclaimed space", .serialized)
struct AdversarialRecoveryTests {
    static let canRun = Interop.isRoot && (Interop.available("runc") || Interop.available("crun"))

    /// A store with `busybox` imported.
    static func busyboxStore(_ directory: TemporaryDirectory) throws -> URL {
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "busybox"], root: store).checkedStatus()
        return store
    }

    // MARK: Item 10: a killed run takes its container with it

    @Test(.enabled(if: canRun), arguments: [["--rm"], ["--name", "kept"]])
    func killedForegroundRunTakesItsContainerWithIt(_ flags: [String]) throws {
        let directory = try TemporaryDirectory()
        let store = try Self.busyboxStore(directory)
        // A marker no other process on the machine has in its command line.
        let marker = "hoist-killed-run-\(UUID().uuidString.prefix(8))"
        let run = try Interop.launchHoist(["run"] + flags + ["busybox", "sh", "-c", "sleep 300; echo \(marker)"], root: store)
        let hoist = run.processIdentifier
        #expect(try Self.waitUntil { !Self.processes(mentioning: marker, except: hoist).isEmpty }, "the container never started")
        kill(hoist, SIGKILL)
        run.waitUntilExit()
        // Without any further hoist command, the container goes.
        #expect(try Self.waitUntil { Self.processes(mentioning: marker).isEmpty },
                "the container of a killed run kept running: \(Self.processes(mentioning: marker))")
        // The next command clears its mounts, bundle and snapshot; a kept container stays, ended.
        let listed = try Interop.hoist(["ps", "-a", "--format", "{{.Names}} {{.Status}}"], root: store)
        try Self.expectNoLeftovers(store)
        if flags.contains("kept") {
            #expect(listed.text.contains("kept Exited (137)"), "\(listed.text)")
            try Interop.hoist(["rm", "-f", "kept"], root: store).checkedStatus()
        }
    }

    // MARK: Item 10: killed builds leave nothing running, mounted or half-made

    @Test(.enabled(if: canRun))
    func killedBuildsLeaveNoContainersMountsOrBundles() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.busyboxStore(directory)
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        for trial in 0..<4 {
            let marker = "hoist-killed-step-\(trial)-\(UUID().uuidString.prefix(8))"
            try Data("FROM busybox\nRUN sleep 300; echo \(marker)\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
            let build = try Interop.launchHoist(["build", "-q", "-t", "killed", context.path], root: store)
            #expect(try Self.waitUntil { !Self.processes(mentioning: marker).isEmpty }, "the RUN step never started")
            kill(build.processIdentifier, SIGKILL)
            build.waitUntilExit()
            #expect(try Self.waitUntil { Self.processes(mentioning: marker).isEmpty },
                    "the RUN step of a killed build kept running: \(Self.processes(mentioning: marker))")
            _ = try Interop.hoist(["images"], root: store)
            try Self.expectNoLeftovers(store)
        }
    }

    // MARK: Item 10: prune always collects, snapshots included

    @Test(.enabled(if: canRun))
    func pruneCollectsEvenWhenItRemovesNoImage() async throws {
        let directory = try TemporaryDirectory()
        let store = try Self.busyboxStore(directory)
        // A run unpacks the image into committed snapshots; the image then goes without a collection.
        try Interop.hoist(["run", "--rm", "busybox", "true"], root: store).checkedStatus()
        do {
            let client = try Client(root: StoreRoot(store))
            #expect(try !client.store.snapshotter().list().isEmpty)
            // Garbage nothing names: a blob written under a lease that has ended.
            try client.store.withLease("test") { _ in _ = try client.store.content.write(Data("orphan".utf8)) }
            #expect(try client.store.removeName("docker.io/library/busybox:latest"))
        }
        let prune = try Interop.hoist(["prune", "-f"], root: store)
        #expect(prune.status == 0, "\(prune.errorText)")
        let client = try Client(root: StoreRoot(store))
        #expect(try await client.images().isEmpty)
        let blobs = try client.store.content.all().map(\.digest)
        #expect(blobs.isEmpty, "blobs left after prune: \(blobs)")
        #expect(try client.store.snapshotter().list().isEmpty, "snapshots left after prune")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("snapshots").path)
            .filter { Int($0) != nil }
        #expect(leftovers.isEmpty, "snapshot directories left: \(leftovers)")
    }

    @Test(.enabled(if: canRun))
    func collectionKeepsWhatTheBuildCacheAndImagesUse() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.busyboxStore(directory)
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN echo one > /one\nRUN echo two > /two\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try Interop.hoist(["build", "-q", "-t", "app", context.path], root: store).checkedStatus()
        try Interop.hoist(["prune", "-f"], root: store).checkedStatus()
        // The image runs, and a rebuild with a changed last step runs only that step on the kept snapshots.
        let run = try Interop.hoist(["run", "--rm", "app", "cat", "/one", "/two"], root: store)
        #expect(run.text == "one\ntwo\n", "\(run.errorText)")
        try Data("FROM busybox\nRUN echo one > /one\nRUN echo three > /two\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let rebuild = try Interop.hoist(["build", "--progress=plain", "-t", "app", context.path], root: store)
        #expect(rebuild.status == 0, "\(rebuild.errorText)")
        #expect(rebuild.errorText.contains("CACHED"), "the first RUN was not served from the cache: \(rebuild.errorText)")
    }

    // MARK: Item 12: prune -a and the image of a running container

    @Test(.enabled(if: canRun))
    func pruneAllKeepsTheImageOfARunningContainerAndDoesNotWaitForIt() throws {
        let directory = try TemporaryDirectory()
        let store = try Self.busyboxStore(directory)
        let marker = "hoist-prune-run-\(UUID().uuidString.prefix(8))"
        let run = try Interop.launchHoist(["run", "--rm", "busybox", "sh", "-c", "sleep 20; echo \(marker)"], root: store)
        defer {
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
        }
        #expect(try Self.waitUntil { !Self.processes(mentioning: marker, except: run.processIdentifier).isEmpty },
                "the container never started")
        let prune = try Interop.hoist(["prune", "-a", "-f"], root: store)
        #expect(prune.status == 0, "\(prune.errorText)")
        // Done while the container still runs: it did not wait for the run to end.
        #expect(run.isRunning, "prune returned only after the run had ended")
        let images = try Interop.hoist(["images", "--format", "{{.Repository}}"], root: store)
        #expect(images.text.contains("busybox"), "prune -a removed the image of a running container: \(images.text)")
    }

    // MARK: kill -9 trials (the CI slice of scripts/kill-trials.sh)

    @Test(.enabled(if: canRun && Interop.available("docker-registry")))
    func killTrialsLeaveConsistentStores() throws {
        let script = Interop.packageRoot.appendingPathComponent("scripts/kill-trials.sh").path
        let result = try ExternalCommand.run(
            [script, "10"], environment: ["HOIST": Interop.hoistExecutable, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""])
        #expect(result.status == 0, "kill trials failed:\n\(result.text)\n\(result.errorText)")
        #expect(result.text.contains("10 passed, 0 failed"), "\(result.text)")
    }

    // MARK: Helpers

    /// Polls `condition` for up to 30 seconds.
    static func waitUntil(_ condition: () throws -> Bool) throws -> Bool {
        for _ in 0..<600 {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    /// The pids of processes (but this one and `excepted`) whose command line contains `text`.
    static func processes(mentioning text: String, except excepted: Int32 = 0) -> [Int32] {
        let needle = Array(text.utf8)
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = Int32(name), pid != getpid(), pid != excepted,
                let command = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                Array(command).firstRange(of: needle) != nil
            else { return nil }
            // A zombie has ended.
            let stat = (try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)) ?? ""
            return stat.split(separator: ")").last?.split(separator: " ").first == "Z" ? nil : pid
        }
    }

    /// Checks the store as scripts/check-store.py does: no mount, runtime container, process or
    /// work directory left, no lease of a dead process, every image whole.
    static func expectNoLeftovers(_ store: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let checker = Interop.packageRoot.appendingPathComponent("scripts/check-store.py").path
        let result = try ExternalCommand.run(["python3", checker, store.path])
        #expect(result.status == 0, "the store after the next command:\n\(result.text)\(result.errorText)", sourceLocation: sourceLocation)
    }
}
