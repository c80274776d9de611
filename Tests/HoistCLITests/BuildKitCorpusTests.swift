import Foundation
import Hoist
import HoistTestSupport
import Testing

/// BuildKit's own Dockerfile integration cases (moby/buildkit `frontend/dockerfile/*_test.go`,
/// as data in `../shared/conformance/buildkit-dockerfile`) built by Hoist and checked against
/// what BuildKit's tests expect. Every case whose requirements this machine meets runs, but
/// for those in `Tests/BuildKitCorpus/skip-list`, each there with its reason; an entry that
/// names no case is an error, so the list can only shrink.
@Suite("BuildKit's Dockerfile integration cases", .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildKitCorpusTests {
    static let skipList = (try? BuildKitCorpus.skipList()) ?? []
    static let running = BuildKitCorpus.cases.filter { BuildKitCorpus.reasonToSkip($0, skipList: skipList) == nil }
    /// Builds at once: enough to keep two cores busy while runc and the disk wait.
    static let limiter = CorpusLimiter(limit: 3)
    static let tally = CorpusTally()
    static let dockerTally = CorpusTally()
    /// The busybox root filesystem every case's store imports, made once.
    static let rootfs: Result<(TemporaryDirectory, URL), any Error> = Result {
        let directory = try TemporaryDirectory()
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        return (directory, rootfs)
    }

    @Test func theCorpusAndTheSkipListAgree() throws {
        if Interop.required || FileManager.default.fileExists(atPath: BuildKitCorpus.casesDirectory.path) {
            #expect(BuildKitCorpus.cases.count >= 400, "cases found in \(BuildKitCorpus.casesDirectory.path): \(BuildKitCorpus.cases.count)")
        }
        let entries = try BuildKitCorpus.skipList()
        for entry in entries {
            #expect(BuildKitCorpus.cases.contains { $0.matches(entry.entry) },
                    "skip-list line \(entry.line): \(entry.entry) names no case or function of the corpus: remove it")
            #expect(!entry.reason.isEmpty, "skip-list line \(entry.line): \(entry.entry) has no reason")
        }
        let names = entries.map(\.entry)
        #expect(Set(names).count == names.count, "the skip list names something twice")
        for corpusCase in BuildKitCorpus.cases {
            let machine = corpusCase.requires.contains { BuildKitCorpus.unmetOnThisMachine[$0] != nil }
            let listed = entries.filter { corpusCase.matches($0.entry) }
            #expect(!(machine && !listed.isEmpty), "\(corpusCase.name) is listed, but this machine skips it anyway: remove it")
            #expect(listed.count <= 1, "\(corpusCase.name) is listed \(listed.count) times")
        }
        let skipped = BuildKitCorpus.cases.compactMap { BuildKitCorpus.reasonToSkip($0, skipList: entries) }
        let machine = skipped.filter { $0.hasPrefix("machine:") }.count
        print("BuildKit corpus: \(BuildKitCorpus.cases.count) cases, \(Self.running.count) run, \(skipped.count) skipped (\(machine) for this machine, \(skipped.count - machine) in the skip list)")
        // The skip list, by reason: what is left to do.
        var byReason: [String: [String]] = [:]
        for corpusCase in BuildKitCorpus.cases {
            if let reason = BuildKitCorpus.reasonToSkip(corpusCase, skipList: entries) { byReason[reason, default: []].append(corpusCase.name) }
        }
        for (reason, names) in byReason.sorted(by: { $0.value.count > $1.value.count }) {
            print("BuildKit corpus skips \(names.count) (\(reason)): \(names.joined(separator: ", "))")
        }
    }

    @Test(arguments: running)
    func caseBuildsAsBuildKitsTestExpects(_ corpusCase: CorpusCase) async throws {
        try await Self.limiter.run {
            let start = ContinuousClock.now
            var outcome = "failed"
            defer {
                let tally = Self.tally.record(outcome)
                print("corpus case \(corpusCase.name): \(outcome) in \(ContinuousClock.now - start); BuildKit corpus so far: \(tally) of \(Self.running.count) run")
            }
            let fixture = try BusyboxFixture(rootfs: try Self.rootfs.get().1)
            let run = CorpusRun(corpusCase, fixture: fixture)
            let result = try await run.build()
            let failures = try await CorpusCheck(run: run).failures(of: result)
            #expect(failures.isEmpty, "\(corpusCase.name) (\(corpusCase.function)):\n\(failures.joined(separator: "\n"))")
            if failures.isEmpty { outcome = "passed" }
        }
    }

    /// The plain cases (no fixture, no option but build arguments and a target) that should
    /// build: cheap to give Docker 20.10's BuildKit too.
    static let comparable = running.filter { corpusCase in
        corpusCase.requires.isEmpty && corpusCase.expect["success"] == .bool(true) && corpusCase.context == "local"
            && corpusCase.frontendAttributes.isEmpty && corpusCase.platform == nil && corpusCase.secrets.isEmpty
            && corpusCase.baseImages.allSatisfy { ["busybox", "busybox:latest", "alpine", "alpine:latest"].contains($0) }
    }

    /// Each plain case built by Docker 20.10's BuildKit (`docker build --output type=local`) on
    /// the same busybox base must give the files Hoist gives. A case that version cannot build
    /// (syntax it predates: heredocs, `--parents`, `--exclude` …) is only counted.
    @Test(.enabled(if: Interop.dockerAvailable), arguments: comparable)
    func caseBuildsAsDockersBuildKitDoes(_ corpusCase: CorpusCase) async throws {
        try await Self.limiter.run {
            try Self.dockerBaseImages.get()
            let fixture = try BusyboxFixture(rootfs: try Self.rootfs.get().1)
            let run = CorpusRun(corpusCase, fixture: fixture)
            _ = try await run.build().get()
            let options = try #require(run.options)
            let dockerOutput = fixture.directory.appending("docker-output")
            var command = [Interop.docker, "build", "--network=host", "--output", "type=local,dest=\(dockerOutput.path)"]
            command += ["-f", options.dockerfile?.path ?? options.context.appendingPathComponent("Dockerfile").path]
            command += options.buildArguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
            command += options.target.map { ["--target", $0] } ?? []
            let docker = try ExternalCommand.run(command + [options.context.path], environment: ["DOCKER_BUILDKIT": "1"])
            guard docker.status == 0 else {
                let reason = docker.errorText.split(separator: "\n").last { !$0.hasPrefix("#") } ?? ""
                let tally = Self.dockerTally.record("Docker 20.10 cannot build")
                print("corpus case \(corpusCase.name): Docker 20.10's BuildKit cannot build it: \(reason.suffix(300)); so far: \(tally) of \(Self.comparable.count)")
                return
            }
            // The docker client writes the local output as its own user: owners are not compared.
            let differences = try Self.withoutOwners(FileTree(root: dockerOutput.path))
                .differences(from: Self.withoutOwners(FileTree(root: run.output.path)))
                .filter { line in !(BuildKitCorpus.dockerDifferences[corpusCase.name] ?? []).contains { line.hasPrefix("\($0): ") } }
            #expect(differences.isEmpty, "\(corpusCase.name): Docker 20.10 ≠ Hoist:\n\(differences.prefix(30).joined(separator: "\n"))")
            let tally = Self.dockerTally.record(differences.isEmpty ? "as Docker 20.10 builds it" : "other files than Docker 20.10's")
            print("corpus case \(corpusCase.name): \(differences.isEmpty ? "as Docker 20.10 builds it" : "differs from Docker 20.10"); so far: \(tally) of \(Self.comparable.count)")
        }
    }

    static func withoutOwners(_ tree: FileTree) -> FileTree {
        var tree = tree
        for path in tree.entries.keys {
            tree.entries[path]?.uid = 0
            tree.entries[path]?.gid = 0
        }
        return tree
    }

    /// The local busybox image in the daemon under the names the plain cases use, made once.
    static let dockerBaseImages: Result<Void, any Error> = Result {
        let rootfs = try Self.rootfs.get().1
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", rootfs.path, "busybox:latest"])
        try ExternalCommand.checked([Interop.docker, "tag", "busybox:latest", "alpine:latest"])
    }
}

/// How many cases ended each way so far, for the line each case prints (the last is the summary).
final class CorpusTally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    /// Counts `outcome` and returns every count so far (`289 passed, 0 failed`).
    func record(_ outcome: String) -> String {
        lock.withLock {
            counts[outcome, default: 0] += 1
            return counts.sorted { $0.key > $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
    }
}

/// Lets at most `limit` cases build at once; the others wait their turn.
actor CorpusLimiter {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if running < limit {
            running += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { waiting.isEmpty ? (running -= 1) : waiting.removeFirst().resume() }
        return try await body()
    }
}
