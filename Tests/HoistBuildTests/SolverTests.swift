import Foundation
import HoistBuild
import HoistOCI
import Testing

/// The solver's own logic — keys, cache use, sharing, skipping, parallelism, errors — with a
/// recording worker in place of snapshots and runc (those are tested with the native worker).
@Suite("Solver")
struct SolverTests {
    /// Records what ran; every exec/file result is one new fake layer named after the op.
    actor RecordingWorker: Worker {
        var ran: [String] = []
        var running = 0
        var maxRunning = 0
        var directoryChecksums: [String: Digest] = [:]
        let delay: Duration
        let failing: String?

        init(delay: Duration = .zero, failing: String? = nil) {
            self.delay = delay
            self.failing = failing
        }

        func setChecksum(_ path: String, _ text: String) { directoryChecksums[path] = Digest(of: Data(text.utf8)) }

        private func step(_ name: String, base: BuildResult?) async throws -> BuildResult {
            ran.append(name)
            running += 1
            maxRunning = max(maxRunning, running)
            try await Task.sleep(for: delay)
            running -= 1
            if name == failing { throw BuildError(.failedPrecondition, "step failed on purpose", exitCode: 2) }
            let layer = LayerRef(
                diffID: Digest(of: Data(name.utf8)),
                blob: Descriptor(mediaType: .ociLayer, digest: Digest(of: Data(name.utf8)), size: 1))
            return .layers((base?.layers ?? []) + [layer], config: nil)
        }

        func source(_ op: SourceOp, context: StepContext) async throws -> BuildResult {
            ran.append(context.name)
            switch op {
            case .local(let name, _, _): return .directory(path: "/context/\(name)", exclude: [])
            default: return .scratch
            }
        }

        func exec(_ op: ExecOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
            try await step(context.name, base: inputs.first)
        }

        func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
            try await step(context.name, base: inputs.first)
        }

        func checksum(of result: BuildResult, paths: [String], excluding: [String]) async throws -> Digest {
            var hasher = DigestHasher()
            for path in paths.sorted() { hasher.update(Data((directoryChecksums[path]?.description ?? path).utf8)) }
            return hasher.finalize()
        }
    }

    static func run(_ command: String, on base: Vertex) -> Vertex {
        Vertex(.exec(ExecOp(arguments: ["sh", "-c", command], mounts: [ExecMount(input: 0, destination: "/")])),
               inputs: [base], name: "RUN \(command)")
    }

    static func copy(_ paths: [String], from context: Vertex, onto base: Vertex) -> Vertex {
        Vertex(.file(FileOp(actions: [.copy(CopyAction(sourceInput: 1, sources: paths, destination: "/app/"))])),
               inputs: [base, context], name: "COPY \(paths.joined(separator: " "))")
    }

    let base = Vertex(.source(.image(reference: "busybox", platform: nil)), name: "FROM busybox")
    let context = Vertex(.source(.local(name: "context", include: [], exclude: [])), name: "context")

    @Test func digestsAreStableAndIgnoreNames() {
        let a = Self.run("make", on: base)
        let b = Vertex(a.op, inputs: a.inputs, name: "another name")
        #expect(a.digest == b.digest)
        #expect(Self.run("make", on: base).digest == a.digest)
        #expect(Self.run("make install", on: base).digest != a.digest)
    }

    @Test func aDigestIsThatOfTheCanonicalDefinition() throws {
        // Cache keys are made the same way: this form is what every recorded key was made of.
        struct Definition: Encodable {
            let op: Op
            let inputs: [Digest]
        }
        let vertex = Self.copy(["a.txt"], from: context, onto: Self.run("make", on: base))
        let expected = Digest(of: try CanonicalJSON.encode(Definition(op: vertex.op, inputs: vertex.inputs.map(\.digest))))
        #expect(vertex.digest == expected)
        #expect(base.digest == Digest(of: try CanonicalJSON.encode(Definition(op: base.op, inputs: []))))
    }

    @Test func unchangedRebuildRunsNoStep() async throws {
        let target = Self.run("b", on: Self.run("a", on: base))
        let cache = MemoryCacheIndex()
        let first = RecordingWorker()
        let result = try await Solver(worker: first, cache: cache).solve(target)
        #expect(result.layers?.count == 2)
        #expect(await first.ran == ["FROM busybox", "RUN a", "RUN b"])

        let second = RecordingWorker()
        let again = try await Solver(worker: second, cache: cache).solve(target)
        #expect(again == result)
        #expect(await second.ran == ["FROM busybox"], "only the source is resolved again")
    }

    /// Counts the questions a solve asks of the cache.
    actor CountingCacheIndex: CacheIndex {
        let inner = MemoryCacheIndex()
        var singleLookups = 0
        var batchLookups: [Int] = []

        func lookup(_ key: Digest) async throws -> BuildResult? {
            singleLookups += 1
            return await inner.lookup(key)
        }

        func lookup(_ keys: [Digest]) async throws -> [Digest: BuildResult] {
            batchLookups.append(keys.count)
            var results: [Digest: BuildResult] = [:]
            for key in keys { results[key] = await inner.lookup(key) }
            return results
        }

        func record(_ key: Digest, result: BuildResult) async throws {
            await inner.record(key, result: result)
        }
    }

    @Test func aRebuildServedFromTheCacheAsksItOnce() async throws {
        let context = Vertex(.source(.local(name: "context", include: [], exclude: [])), name: "context")
        var target = Self.copy(["a.txt"], from: context, onto: base)
        for step in 0..<5 { target = Self.run("step \(step)", on: target) }
        let cache = CountingCacheIndex()
        let first = try await Solver(worker: RecordingWorker(), cache: cache).solve(target)
        #expect(await cache.batchLookups == [6])

        let worker = RecordingWorker()
        let again = try await Solver(worker: worker, cache: cache).solve(target)
        #expect(again == first)
        #expect(await cache.batchLookups == [6, 6], "one question for the graph's six keys")
        #expect(await cache.singleLookups == 6, "only the first build's misses were asked again, one by one")
        #expect(await worker.ran.sorted() == ["FROM busybox", "context"])
    }

    @Test func changingOneContextFileRerunsExactlyTheStepsThatReadIt() async throws {
        let copyA = Self.copy(["a.txt"], from: context, onto: base)
        let runA = Self.run("use a", on: copyA)
        let copyB = Self.copy(["b.txt"], from: context, onto: runA)
        let target = Self.run("use b", on: copyB)
        let cache = MemoryCacheIndex()
        let first = RecordingWorker()
        await first.setChecksum("a.txt", "a1")
        await first.setChecksum("b.txt", "b1")
        _ = try await Solver(worker: first, cache: cache).solve(target)

        let second = RecordingWorker()
        await second.setChecksum("a.txt", "a1")
        await second.setChecksum("b.txt", "b2")
        _ = try await Solver(worker: second, cache: cache).solve(target)
        #expect(await second.ran.filter { !$0.hasPrefix("FROM") && $0 != "context" } == ["COPY b.txt", "RUN use b"])
    }

    @Test func sharedVerticesRunOnceAndUnusedOnesNever() async throws {
        let shared = Self.run("shared", on: base)
        let left = Self.run("left", on: shared)
        let right = Self.run("right", on: shared)
        _ = Self.run("unused", on: shared)
        let target = Vertex(.merge, inputs: [left, right], name: "merge")
        let worker = RecordingWorker()
        let result = try await Solver(worker: worker, cache: MemoryCacheIndex()).solve(target)
        let ran = await worker.ran
        #expect(ran.filter { $0 == "RUN shared" }.count == 1)
        #expect(!ran.contains("RUN unused"))
        #expect(result.layers?.count == 4)
    }

    @Test func independentVerticesRunInParallelWithinTheLimit() async throws {
        let branches = (0..<4).map { Self.run("branch \($0)", on: base) }
        let target = Vertex(.merge, inputs: branches, name: "merge")
        let worker = RecordingWorker(delay: .milliseconds(100))
        _ = try await Solver(worker: worker, cache: MemoryCacheIndex(), options: SolveOptions(parallelism: 2)).solve(target)
        #expect(await worker.maxRunning == 2)
    }

    @Test func noCacheRunsEverythingAgain() async throws {
        let target = Self.run("a", on: base)
        let cache = MemoryCacheIndex()
        _ = try await Solver(worker: RecordingWorker(), cache: cache).solve(target)
        let worker = RecordingWorker()
        _ = try await Solver(worker: worker, cache: cache, options: SolveOptions(noCache: true)).solve(target)
        #expect(await worker.ran.contains("RUN a"))
    }

    @Test func aFailingStepNamesItselfAndIsNotCached() async throws {
        let target = Self.run("after", on: Self.run("broken", on: base))
        let cache = MemoryCacheIndex()
        let error = await #expect(throws: BuildError.self) {
            try await Solver(worker: RecordingWorker(failing: "RUN broken"), cache: cache).solve(target)
        }
        #expect(error?.step == "RUN broken")
        #expect(error?.exitCode == 2)
        #expect(await cache.count == 0)
    }

    @Test func progressReportsStartCompletionAndCacheHits() async throws {
        let target = Self.run("a", on: base)
        let cache = MemoryCacheIndex()
        let events = EventLog()
        _ = try await Solver(worker: RecordingWorker(), cache: cache, progress: events.reporter).solve(target)
        _ = try await Solver(worker: RecordingWorker(), cache: cache, progress: events.reporter).solve(target)
        let names = events.all.map { event -> String in
            switch event {
            case .started(_, let name, _): "start \(name)"
            case .completed(_, let name, _): "done \(name)"
            case .cached(_, let name): "cached \(name)"
            case .failed(_, let name, _): "failed \(name)"
            case .log: "log"
            case .warning: "warning"
            }
        }
        #expect(names == ["start FROM busybox", "done FROM busybox", "start RUN a", "done RUN a",
                          "start FROM busybox", "done FROM busybox", "cached RUN a"])
    }
}

/// Collects progress events from any task.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ProgressEvent] = []

    var reporter: ProgressReporter {
        ProgressReporter { event in
            self.lock.lock()
            self.events.append(event)
            self.lock.unlock()
        }
    }

    var all: [ProgressEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}
