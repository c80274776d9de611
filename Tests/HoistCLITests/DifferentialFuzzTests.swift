import Foundation
import Hoist
import HoistTestSupport
import Testing

/// The differential Dockerfile fuzzer: random Dockerfiles and contexts (``DockerfileCaseGenerator``)
/// built by Hoist and by Docker's BuildKit (`DOCKER_BUILDKIT=1 docker build`) on the same busybox
/// base. Both must fail, or both build images with equal configs and files. Each Hoist image must
/// then come back whole from the cache, and two uncached builds with SOURCE_DATE_EPOCH must be
/// the same bytes. CI runs a short slice; `scripts/fuzz-differential.sh` runs many more
/// (`HOIST_DIFF_FUZZ_CASES`, from seed `HOIST_DIFF_FUZZ_SEED`).
@Suite("Differential Dockerfile fuzzer", .serialized,
       .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc")))
struct DifferentialFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let count = UInt64(environment["HOIST_DIFF_FUZZ_CASES"] ?? "") ?? 6
    static let firstSeed = UInt64(environment["HOIST_DIFF_FUZZ_SEED"] ?? "") ?? 1
    static let figures = FuzzFigures()

    @Test(arguments: firstSeed..<(firstSeed + count))
    func hoistBuildsWhatDockerBuilds(seed: UInt64) async throws {
        let generated = DockerfileCaseGenerator.make(seed: seed)
        let fixture = try BusyboxFixture()
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", fixture.rootfs.path, "busybox:latest"])
        let context = fixture.directory.appending("context")
        try generated.write(into: context)
        let tag = uniqueDockerName("fuzz-\(seed)")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }

        var command = [Interop.docker, "build", "--network=none", "--progress=plain", "-t", tag]
        command += generated.buildArguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
        let docker = try ExternalCommand.run(command + [context.path], environment: ["DOCKER_BUILDKIT": "1"])
        let options = BuildOptions(context: context, tags: [tag], buildArguments: generated.buildArguments)
        let hoist = await Result(catching: { try await fixture.client.build(options) })

        var divergences: [String] = []
        defer {
            Self.figures.record(seed: seed, divergences: divergences)
            print("differential fuzzer: \(Self.figures.summary)")
        }
        switch (docker.status == 0, hoist) {
        case (false, .failure):
            Self.figures.count(\.failedInBoth)
            return
        case (true, .failure(let error)):
            divergences.append("hoist failed where docker built: \(error)")
        case (false, .success):
            divergences.append("docker failed where hoist built: \(docker.errorText.suffix(600))")
        case (true, .success(let image)):
            Self.figures.count(\.builtByBoth)
            let hoistConfig = try #require(fixture.client.inspect(image.id.description).config)
            let dockerConfig = try DifferentialTests.dockerConfig(tag)
            if DifferentialTests.fields(hoistConfig) != DifferentialTests.fields(dockerConfig) {
                divergences.append("config: hoist \(DifferentialTests.fields(hoistConfig))\n        docker \(DifferentialTests.fields(dockerConfig))")
            }
            let exported = try DifferentialTests.dockerRootfs(tag, into: fixture.directory.appending("docker"))
            let built = try DifferentialTests.hoistRootfs(fixture.client, image: image.id.description, into: fixture.directory.appending("hoist"))
            divergences += exported.differences(from: built)
                .filter { line in !DockerfileCase.dockerOnlyPaths.contains { line == "\($0): only on the left" } }
                .map { "files (docker ≠ hoist): \($0)" }
            divergences += try await Self.rebuildsAreCachedAndReproducible(generated, image: image.id.description, fixture: fixture, context: context)
        }
        #expect(divergences.isEmpty, "\(divergences.count) divergences for \(generated)\n\(divergences.prefix(30).joined(separator: "\n"))")
    }

    /// A second build is served whole from the cache and gives the same image; two builds with
    /// SOURCE_DATE_EPOCH and no cache give the same bytes.
    static func rebuildsAreCachedAndReproducible(
        _ generated: DockerfileCase, image: String, fixture: BusyboxFixture, context: URL
    ) async throws -> [String] {
        var problems: [String] = []
        let recorder = EventRecorder()
        var options = BuildOptions(context: context, buildArguments: generated.buildArguments)
        options.progress = recorder.reporter
        let again = try await fixture.client.build(options)
        // Loading the context and looking up the base image are not steps.
        let ran = recorder.started.filter { !$0.hasPrefix("[internal]") && !$0.contains("] FROM ") }
        if !ran.isEmpty { problems.append("the second build ran steps again: \(ran)") }
        if again.id.description != image { problems.append("the second build gave another image: \(again.id) ≠ \(image)") }
        if ran.isEmpty && again.id.description == image { Self.figures.count(\.cachedRebuilds) }

        var pinned = BuildOptions(context: context, buildArguments: generated.buildArguments, noCache: true)
        pinned.sourceDateEpoch = 1_700_000_000
        let first = try await fixture.client.build(pinned)
        let second = try await fixture.client.build(pinned)
        if first.id != second.id {
            problems.append("SOURCE_DATE_EPOCH builds differ: \(first.id) ≠ \(second.id)")
        } else {
            Self.figures.count(\.reproducible)
        }
        return problems
    }
}

/// What the fuzzer has done so far in this process, for its closing line.
final class FuzzFigures: @unchecked Sendable {
    struct Counts {
        var tried = 0
        var builtByBoth = 0
        var failedInBoth = 0
        var cachedRebuilds = 0
        var reproducible = 0
        var divergent: [UInt64] = []
    }

    private let lock = NSLock()
    private var counts = Counts()

    func count(_ field: WritableKeyPath<Counts, Int>) {
        lock.withLock { counts[keyPath: field] += 1 }
    }

    func record(seed: UInt64, divergences: [String]) {
        lock.withLock {
            counts.tried += 1
            if !divergences.isEmpty { counts.divergent.append(seed) }
        }
    }

    var summary: String {
        lock.withLock {
            "\(counts.tried) Dockerfiles tried, \(counts.builtByBoth) built by both, \(counts.failedInBoth) failed in both, "
                + "\(counts.divergent.count) divergent (seeds \(counts.divergent)); \(counts.cachedRebuilds) rebuilt whole from the cache, "
                + "\(counts.reproducible) SOURCE_DATE_EPOCH pairs byte-identical"
        }
    }
}
