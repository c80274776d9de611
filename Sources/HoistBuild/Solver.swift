import Foundation
public import HoistOCI

/// Choices for a solve.
public struct SolveOptions: Sendable {
    /// Run every step, ignoring the cache (results are still recorded).
    public var noCache: Bool
    /// Run these vertices (by name prefix match, e.g. a stage's steps) even when cached.
    public var noCacheFor: @Sendable (Vertex) -> Bool
    /// How many vertices may run at once.
    public var parallelism: Int
    /// Mixed into every cache key: what changes every step's output without being in the
    /// graph (the layer timestamps `SOURCE_DATE_EPOCH` clamps, say).
    public var cacheKeySalt: String

    public init(noCache: Bool = false, noCacheFor: @escaping @Sendable (Vertex) -> Bool = { _ in false },
                parallelism: Int? = nil, cacheKeySalt: String = "") {
        self.noCache = noCache
        self.noCacheFor = noCacheFor
        self.cacheKeySalt = cacheKeySalt
        self.parallelism = parallelism ?? ProcessInfo.processInfo.activeProcessorCount
    }
}

/// Turns a build graph into a result: computes each vertex's content-based cache key, takes
/// what the cache has, and runs the rest on a ``Worker`` — independent vertices at the same
/// time, each vertex at most once, vertices the target does not need never.
public struct Solver: Sendable {
    public let worker: any Worker
    public let cache: any CacheIndex
    public let progress: ProgressReporter
    public let options: SolveOptions

    public init(worker: any Worker, cache: any CacheIndex, progress: ProgressReporter = .discard, options: SolveOptions = SolveOptions()) {
        self.worker = worker
        self.cache = cache
        self.progress = progress
        self.options = options
    }

    /// Solves `target` and everything it depends on.
    public func solve(_ target: Vertex) async throws -> BuildResult {
        try await solveAll(target)[target.digest]!
    }

    /// Solves `target` and returns the result of every vertex it depends on (itself included),
    /// by vertex digest: an exporter reads which steps added a layer from them.
    public func solveAll(_ target: Vertex) async throws -> [Digest: BuildResult] {
        try await solveAll([target])
    }

    /// Solves several targets in one session, at the same time: a vertex they share (a build
    /// platform's stage in a multi-platform build, the context's sources) runs once, and one
    /// cache query serves them all. Returns the result of every vertex any of them needs.
    public func solveAll(_ targets: [Vertex]) async throws -> [Digest: BuildResult] {
        let session = SolveSession(solver: self)
        try await session.prefetchCachedResults(of: targets)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for target in targets {
                group.addTask {
                    if await !session.serveFromPrefetch(target) {
                        _ = try await session.solve(target)
                    }
                    try await session.provideContent(of: target)
                }
            }
            try await group.waitForAll()
        }
        return try await session.results()
    }
}

/// A solved vertex: its cache key and result.
struct Solved: Sendable {
    let key: Digest
    let result: BuildResult
}

/// One solve's memo of running and finished vertices, so a vertex shared by several stages runs once.
actor SolveSession {
    private let solver: Solver
    private let limiter: AsyncLimiter
    private var tasks: [Digest: Task<Solved, any Error>] = [:]
    /// Vertices served from the prefetched results without a task each.
    private var served: [Digest: BuildResult] = [:]
    /// Cache keys by vertex digest, each computed once: those known, and those being computed.
    private var keys: [Digest: Digest] = [:]
    private var keyTasks: [Digest: Task<Digest, any Error>] = [:]
    /// What the cache held for the graph's keys when the solve began; nil before that is asked.
    private var prefetched: [Digest: BuildResult]?
    /// Vertices run again because their cached result's layers could not be had.
    private var reruns: [Digest: Task<Solved, any Error>] = [:]

    init(solver: Solver) {
        self.solver = solver
        self.limiter = AsyncLimiter(limit: solver.options.parallelism)
    }

    /// Computes the cache key of every vertex `target` needs and asks the cache for all of
    /// them at once: a rebuild served from the cache then costs one query, not one per step.
    ///
    /// A key needs only the keys of the vertex's inputs (and the checksums of local sources),
    /// never their results, so nothing runs here but sources.
    func prefetchCachedResults(of targets: [Vertex]) async throws {
        guard !solver.options.noCache else { return }
        var wanted: [Digest] = []
        var seen: Set<Digest> = []
        for vertex in targets.flatMap(\.topologicallySorted) where seen.insert(vertex.digest).inserted {
            if case .source = vertex.op { continue }
            // In this order every input's key is known: computed here, without a task each.
            let key: Digest
            if let known = keys[vertex.digest] {
                key = known
            } else {
                key = try await computeKey(vertex)
                keys[vertex.digest] = key
            }
            if !solver.options.noCacheFor(vertex) { wanted.append(key) }
        }
        prefetched = try await solver.cache.lookup(wanted)
    }

    /// Takes every vertex `target` needs from the prefetched results when all are there (the
    /// sources having been resolved by the prefetch), reporting each as cached; false, having
    /// done nothing, when any step is to run.
    ///
    /// A step that hits needs nothing below it: a step under it that missed is left unrun, as
    /// BuildKit leaves it (a stage the image only copies from, whose copy hit — what a cache
    /// imported with `mode=min` holds). The image's own steps, each on its first input down to
    /// its base, must all hit: the image's history is read from them.
    func serveFromPrefetch(_ target: Vertex) -> Bool {
        // A target that is itself a source (a build of only FROM and settings) is solved as one.
        if case .source = target.op { return false }
        guard let prefetched else { return false }
        let all = target.topologicallySorted
        // A stage forced to run (--no-cache-filter) runs whatever hits above it.
        guard !all.contains(where: solver.options.noCacheFor) else { return false }
        var lineage: Set<Digest> = []
        var cursor: Vertex? = target
        while let vertex = cursor {
            lineage.insert(vertex.digest)
            cursor = vertex.inputs.first
        }
        var found: [Digest: BuildResult] = [:]
        var pending = [target]
        while let vertex = pending.popLast() {
            if case .source = vertex.op { continue }
            guard found[vertex.digest] == nil else { continue }
            guard let key = keys[vertex.digest], let result = prefetched[key] else {
                if lineage.contains(vertex.digest) { return false }
                continue
            }
            found[vertex.digest] = result
            pending += vertex.inputs
        }
        BuildLog.solver.debug("every step needed cached: \(found.count) served from one cache query")
        for vertex in all {
            guard let result = found[vertex.digest] else { continue }
            served[vertex.digest] = result
            solver.progress.report(.cached(vertex: vertex.digest, name: vertex.name))
        }
        return true
    }

    /// The results of every vertex solved so far.
    func results() async throws -> [Digest: BuildResult] {
        var results = served
        for (digest, task) in tasks { results[digest] = try await task.value.result }
        return results
    }

    /// Makes the layers of `target`'s result present (the image is made of them), as
    /// ``withContent(_:_:)`` does for a step's inputs.
    func provideContent(of target: Vertex) async throws {
        if case .source = target.op { return }
        if let result = served[target.digest], let key = keys[target.digest] {
            _ = try await withContent(target, Solved(key: key, result: result))
        } else if let task = tasks[target.digest] {
            _ = try await withContent(target, try await task.value)
        }
    }

    /// `solved` with its layers in the store: fetched by the cache from where it found the
    /// result (another machine's cache) when they are not; and when they cannot be had (a
    /// blob that does not match its digest, a source gone), `vertex` run again instead.
    private func withContent(_ vertex: Vertex, _ solved: Solved) async throws -> Solved {
        if case .source = vertex.op { return solved }
        if let rerun = reruns[vertex.digest] { return try await rerun.value }
        do {
            try await solver.cache.provideContent(of: solved.result)
            return solved
        } catch {
            if let rerun = reruns[vertex.digest] { return try await rerun.value }
            solver.progress.report(.warning(BuildWarning(
                message: "the cached result of \(vertex.name) cannot be fetched (\(error)); running the step again")))
            let task = Task { try await self.compute(vertex, skippingCache: true) }
            reruns[vertex.digest] = task
            tasks[vertex.digest] = task
            served[vertex.digest] = nil
            return try await task.value
        }
    }

    func solve(_ vertex: Vertex) async throws -> Solved {
        if let task = tasks[vertex.digest] { return try await task.value }
        let task = Task { try await self.compute(vertex) }
        tasks[vertex.digest] = task
        return try await task.value
    }

    /// The cache key of `vertex`: the op's definition over what identifies each input's
    /// content — a source's resolved identity or a local directory's checksum of exactly the
    /// paths the op reads, and any other input's own cache key.
    private func key(of vertex: Vertex) async throws -> Digest {
        if let key = keys[vertex.digest] { return key }
        if let task = keyTasks[vertex.digest] { return try await task.value }
        let task = Task { try await self.computeKey(vertex) }
        keyTasks[vertex.digest] = task
        let key = try await task.value
        keys[vertex.digest] = key
        return key
    }

    private func computeKey(_ vertex: Vertex) async throws -> Digest {
        if case .source = vertex.op { return try await solve(vertex).key }
        var inputKeys: [Digest] = []
        for (index, input) in vertex.inputs.enumerated() {
            guard case .source = input.op else {
                inputKeys.append(try await key(of: input))
                continue
            }
            let solved = try await solve(input)
            if case .directory = solved.result {
                let (paths, excludes) = CacheKey.pathsRead(by: vertex.op, fromInput: index)
                inputKeys.append(try await solver.worker.checksum(of: solved.result, paths: paths, excluding: excludes))
            } else {
                inputKeys.append(solved.key)
            }
        }
        return CacheKey.of(vertex, inputKeys: inputKeys, salt: solver.options.cacheKeySalt)
    }

    /// The cached result of `key`: from the prefetch, or (for a key it did not find, which a
    /// concurrent build may have recorded since) from the cache.
    private func cachedResult(_ key: Digest) async throws -> BuildResult? {
        if let result = prefetched?[key] { return result }
        return try await solver.cache.lookup(key)
    }

    private func compute(_ vertex: Vertex, skippingCache: Bool = false) async throws -> Solved {
        var inputs = try await withThrowingTaskGroup(of: (Int, Solved).self) { group in
            for (index, input) in vertex.inputs.enumerated() {
                group.addTask { (index, try await self.solve(input)) }
            }
            var solved = [Solved?](repeating: nil, count: vertex.inputs.count)
            for try await (index, result) in group { solved[index] = result }
            return solved.map { $0! }
        }
        let context = StepContext(name: vertex.name, digest: vertex.digest, progress: solver.progress)
        let worker = solver.worker

        if case .source(let source) = vertex.op {
            // Sources are resolved every time (cheap: a store lookup or a directory); their key
            // comes from what they resolved to.
            let result = try await run(vertex) { try await worker.source(source, context: context) }
            return Solved(key: CacheKey.ofSource(source, result: result), result: result)
        }

        let key = try await key(of: vertex)
        let skipCache = skippingCache || solver.options.noCache || solver.options.noCacheFor(vertex)
        if !skipCache, let cached = try await cachedResult(key) {
            BuildLog.solver.debug("cache hit \(key.shortID): \(vertex.name)")
            solver.progress.report(.cached(vertex: vertex.digest, name: vertex.name))
            return Solved(key: key, result: cached)
        }
        // An identical build may be running the step: wait for it and take its result.
        let claim = skipCache ? nil : try await solver.cache.claim(key)
        defer { claim?.release() }
        if claim != nil, let cached = try await solver.cache.lookup(key) {
            solver.progress.report(.cached(vertex: vertex.digest, name: vertex.name))
            return Solved(key: key, result: cached)
        }
        BuildLog.solver.debug("\(skipCache ? "cache skipped" : "cache miss") \(key.shortID): \(vertex.name)")
        // The step runs on its inputs' files: those from the cache must be here now.
        if case .merge = vertex.op {} else {
            for index in inputs.indices { inputs[index] = try await withContent(vertex.inputs[index], inputs[index]) }
        }
        let results = inputs.map(\.result)
        let result = try await run(vertex) {
            switch vertex.op {
            case .exec(let exec): try await worker.exec(exec, inputs: results, context: context)
            case .file(let file): try await worker.file(file, inputs: results, context: context)
            case .merge: Self.merge(results)
            case .source: preconditionFailure("sources are handled above")
            }
        }
        try await solver.cache.record(key, result: result)
        return Solved(key: key, result: result)
    }

    /// Runs one vertex's work within the parallelism limit, reporting start, end or failure.
    private func run(_ vertex: Vertex, _ body: @escaping @Sendable () async throws -> BuildResult) async throws -> BuildResult {
        let progress = solver.progress
        return try await limiter.run {
            let clock = ContinuousClock()
            let start = clock.now
            progress.report(.started(vertex: vertex.digest, name: vertex.name, at: Date()))
            do {
                let result = try await body()
                BuildLog.worker.debug("ran in \(clock.now - start): \(vertex.name)")
                progress.report(.completed(vertex: vertex.digest, name: vertex.name, duration: clock.now - start))
                return result
            } catch var error as BuildError {
                if error.step == nil {
                    error.step = vertex.name
                    error.vertex = vertex.digest
                }
                progress.report(.failed(vertex: vertex.digest, name: vertex.name, message: error.message))
                throw error
            } catch {
                progress.report(.failed(vertex: vertex.digest, name: vertex.name, message: "\(error)"))
                var failure = BuildError((error as? any HoistError)?.code ?? .internal, "\(error)", step: vertex.name, underlying: error)
                failure.vertex = vertex.digest
                throw failure
            }
        }
    }

    private static func merge(_ results: [BuildResult]) -> BuildResult {
        .layers(results.flatMap { $0.layers ?? [] }, config: nil)
    }
}
