import Foundation
import HoistBuild
import HoistOCI
import Testing

/// A builder node's worker takes its platform's RUN steps and nothing else, and where a step ran
/// is no part of its cache key.
struct PlatformRoutedWorkerTests {
    typealias RecordingWorker = SolverTests.RecordingWorker
    static let arm64 = Platform(os: "linux", architecture: "arm64")

    static func graph() -> [Vertex] {
        let context = Vertex(.source(.local(name: "context", include: [], exclude: [])), name: "context")
        func stage(_ platform: Platform?) -> Vertex {
            let base = Vertex(.source(.image(reference: "busybox", platform: platform)), name: "FROM busybox \(platform?.description ?? "host")")
            let copied = SolverTests.copy(["a.txt"], from: context, onto: base)
            let op = ExecOp(arguments: ["sh", "-c", "make"], mounts: [ExecMount(input: 0, destination: "/")], platform: platform)
            return Vertex(.exec(op), inputs: [copied], name: "RUN make \(platform?.description ?? "host")")
        }
        return [stage(nil), stage(arm64)]
    }

    @Test func theNodeRunsItsPlatformsRunStepsOnlyAndARebuildAnywhereIsCached() async throws {
        let cache = MemoryCacheIndex()
        let here = RecordingWorker()
        let node = RecordingWorker()
        let routed = PlatformRoutedWorker(default: here, nodes: [Platform(os: "linux", architecture: "arm64", variant: "v8"): node])
        _ = try await Solver(worker: routed, cache: cache).solveAll(Self.graph())
        #expect(await node.ran == ["RUN make linux/arm64"])
        let ranHere = await here.ran
        #expect(ranHere.contains("RUN make host") && !ranHere.contains("RUN make linux/arm64"), "\(ranHere)")

        // The same graph over the same cache runs nothing, with the node or without it.
        let again = RecordingWorker()
        let againNode = RecordingWorker()
        _ = try await Solver(worker: PlatformRoutedWorker(default: again, nodes: [Self.arm64: againNode]), cache: cache).solveAll(Self.graph())
        let alone = RecordingWorker()
        _ = try await Solver(worker: alone, cache: cache).solveAll(Self.graph())
        #expect(await againNode.ran.isEmpty)
        #expect(await again.ran.filter { $0.hasPrefix("RUN") || $0.hasPrefix("COPY") }.isEmpty)
        #expect(await alone.ran.filter { $0.hasPrefix("RUN") || $0.hasPrefix("COPY") }.isEmpty)
    }

    @Test func aNodeForThisHostsPlatformTakesTheStepsThatNameNone() async throws {
        let here = RecordingWorker()
        let node = RecordingWorker()
        _ = try await Solver(worker: PlatformRoutedWorker(default: here, nodes: [Platform.host: node]), cache: MemoryCacheIndex())
            .solveAll(Self.graph())
        #expect(await node.ran == ["RUN make host"])
    }
}
