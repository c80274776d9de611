import Foundation
import HoistBuild
import HoistOCI
import Synchronization
import Testing

/// How the solver uses a cache whose results may not be in the store yet (issue 18): it asks
/// for a result's layers only when a step runs on it or it is the image, leaves unrun what a
/// hit makes unneeded, and runs a step again when its cached layers cannot be had.
@Suite("Solver and cache content")
struct SolverCacheContentTests {
    typealias Worker = SolverTests.RecordingWorker

    /// Keeps what it is told, serves only the keys `serving` allows, and fails the content of
    /// results whose last layer is named in `unavailable`.
    actor ImportLikeCache: CacheIndex {
        var entries: [Digest: BuildResult] = [:]
        var serving: @Sendable (BuildResult) -> Bool = { _ in true }
        var unavailable: Set<String> = []
        var provided: [String] = []

        func lookup(_ key: Digest) -> BuildResult? { entries[key].flatMap { serving($0) ? $0 : nil } }
        func record(_ key: Digest, result: BuildResult) { entries[key] = result }
        func serve(only allowed: @escaping @Sendable (BuildResult) -> Bool) { serving = allowed }
        func fail(_ name: String) { unavailable.insert(name) }
        func forgetProvided() { provided = [] }

        func provideContent(of result: BuildResult) throws {
            let name = SolverCacheContentTests.name(result)
            provided.append(name)
            if unavailable.contains(name) { throw BuildError(.dataLoss, "layer of \(name) does not match its digest") }
        }
    }

    /// The step that made `result`'s top layer (the recording worker names layers after steps).
    static func name(_ result: BuildResult) -> String {
        let top = result.layers?.last?.diffID
        return ["RUN build", "RUN prepare", "COPY /out", "RUN use"].first { Digest(of: Data($0.utf8)) == top } ?? "?"
    }

    let base = Vertex(.source(.image(reference: "busybox", platform: nil)), name: "FROM busybox")

    /// Two stages: `builder` runs a step; the image copies its output and runs one more.
    var target: Vertex {
        let builder = SolverTests.run("build", on: base)
        let copy = Vertex(
            .file(FileOp(actions: [.copy(CopyAction(sourceInput: 1, sources: ["/out"], destination: "/"))])),
            inputs: [SolverTests.run("prepare", on: base), builder], name: "COPY /out")
        return SolverTests.run("use", on: copy)
    }

    @Test func aHitLeavesTheStageItCopiedFromUnrunAndFetchesOnlyTheImage() async throws {
        let cache = ImportLikeCache()
        _ = try await Solver(worker: Worker(), cache: cache).solve(target)
        // As a mode=min import: the builder's record is not there.
        await cache.serve { SolverCacheContentTests.name($0) != "RUN build" }
        await cache.forgetProvided()
        let worker = Worker()
        _ = try await Solver(worker: worker, cache: cache).solve(target)
        #expect(await worker.ran == ["FROM busybox"])
        let provided = await cache.provided
        #expect(provided.last == "RUN use" && !provided.dropLast().contains("RUN use"), "\(provided)")
        #expect(!provided.contains("RUN build") && !provided.contains("COPY /out"), "only the image's result is fetched: \(provided)")
    }

    @Test func aResultWhoseLayersCannotBeHadRunsAgainWithAWarning() async throws {
        let cache = ImportLikeCache()
        _ = try await Solver(worker: Worker(), cache: cache).solve(target)
        await cache.fail("RUN use")
        await cache.forgetProvided()
        let worker = Worker()
        let warnings = WarningLog()
        _ = try await Solver(worker: worker, cache: cache, progress: ProgressReporter { event in
            if case .warning(let warning) = event { warnings.append(warning.message) }
        }).solve(target)
        #expect(await worker.ran == ["FROM busybox", "RUN use"], "the step runs again on its cached input")
        let provided = await cache.provided
        #expect(provided.contains("COPY /out"), "its input's layers are fetched to run it on: \(provided)")
        #expect(warnings.messages.contains { $0.contains("RUN use") && $0.contains("does not match its digest") }, "\(warnings.messages)")
    }

    final class WarningLog: Sendable {
        private let stored = Mutex<[String]>([])
        func append(_ message: String) { stored.withLock { $0.append(message) } }
        var messages: [String] { stored.withLock { $0 } }
    }
}
