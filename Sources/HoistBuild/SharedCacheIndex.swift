import Foundation
public import HoistArchive
public import HoistOCI
import Synchronization

/// The build cache of a build that imports caches from elsewhere (`--cache-from`) or exports
/// its own (`--cache-to`): the store's index first, then the records of each imported cache.
///
/// Imports are lazy: their records are read when the build starts, a layer blob only when a
/// step that hit is needed for its files (``provideContent(of:)``: a step to run on it, the
/// image), so a chain of hits downloads only its last result's layers. An imported hit whose
/// layers came is recorded in the store, to hit there next time. A source that cannot be read
/// is a warning, and the build goes on without it.
public final class SharedCacheIndex: CacheIndex, CacheMountSource {
    public let local: StoreCacheIndex
    private let imports: [(storage: any CacheStorage, artifact: CacheArtifact)]
    private let progress: ProgressReporter
    /// What each key recorded or served in this build gave: what an export keeps.
    private let solved = Mutex<[Digest: BuildResult]>([:])
    /// Imported records served so far, to be recorded in the store once their layers are here.
    private let importedHits = Mutex<[Digest: BuildResult]>([:])
    /// Cache mounts being restored: a step that mounts one waits for the restore another began.
    private let restoring = Mutex<[CacheArtifact.Mount: Task<Bool, Never>]>([:])

    /// Reads the records of every source in `imports`; one that is missing, unreachable or not
    /// a cache is reported to `progress` as a warning and left out.
    public init(local: StoreCacheIndex, imports: [any CacheStorage], progress: ProgressReporter) async {
        self.local = local
        self.progress = progress
        var loaded: [(storage: any CacheStorage, artifact: CacheArtifact)] = []
        for storage in imports {
            do {
                let read = try await Self.step(
                    "importing cache manifest from \(storage.description)", progress: progress,
                    summary: { read in read.map { Self.summary(of: $0.artifact, records: $0.manifest.config.size) } }
                ) {
                    try await storage.readArtifact(through: local.store)
                }
                if let (_, artifact) = read {
                    BuildLog.solver.debug("cache import \(storage.description): \(artifact.records.count) records")
                    loaded.append((storage, artifact))
                } else {
                    progress.report(.warning(BuildWarning(message: "cache import \(storage.description): no build cache there; building without it")))
                }
            } catch {
                progress.report(.warning(BuildWarning(message: "cache import \(storage.description) cannot be read, building without it: \(error)")))
            }
        }
        self.imports = loaded
    }

    public func lookup(_ key: Digest) async throws -> BuildResult? {
        try await lookup([key])[key]
    }

    public func lookup(_ keys: [Digest]) async throws -> [Digest: BuildResult] {
        var results = try await local.lookup(keys)
        for key in keys where results[key] == nil {
            guard let layers = imports.lazy.compactMap({ $0.artifact.records[key] }).first else { continue }
            let result = BuildResult.layers(layers, config: nil)
            results[key] = result
            importedHits.withLock { $0[key] = result }
        }
        solved.withLock { $0.merge(results) { $1 } }
        return results
    }

    public func record(_ key: Digest, result: BuildResult) async throws {
        try await local.record(key, result: result)
        solved.withLock { $0[key] = result }
    }

    public func claim(_ key: Digest) async throws -> (any CacheClaim)? {
        try await local.claim(key)
    }

    /// Fetches the layers of `result` the store lacks from the imported caches that have them.
    ///
    /// - Throws: ``BuildError`` (`notFound`) when no import has a missing layer; what the
    ///   storage throws (`dataLoss` for a blob that does not match its digest).
    public func provideContent(of result: BuildResult) async throws {
        guard !imports.isEmpty else { return }
        for layer in result.layers ?? [] {
            let digest = try layer.blob.digest
            if try local.store.content.contains(digest) { continue }
            let source = imports.first { imported in imported.artifact.records.values.contains { $0.contains(layer) } }
            guard let source else {
                throw BuildError(.notFound, "layer \(digest) is neither in the store nor in an imported cache")
            }
            BuildLog.solver.debug("cache import \(source.storage.description): fetching layer \(digest)")
            try await source.storage.fetch(layer.blob, into: local.store)
        }
    }

    /// Records in the store the imported hits whose layers are all here now, and marks what
    /// the store served as used.
    public func flushUsage() async throws {
        try local.flushUsage()
        let hits = importedHits.withLock { hits in
            defer { hits.removeAll() }
            return hits
        }
        for (key, result) in hits where try hasLayers(result) {
            try await local.record(key, result: result)
        }
    }

    /// Writes what this build solved to `storage`: every record (`max`), or those of the images
    /// whose layers are `images` (`min`; one per platform of a multi-platform build). Records
    /// whose layers the store lacks (imported hits no step needed) are left out.
    /// With `mounts` (cache mounts → their directories), each existing directory's files go
    /// too, as a layer of their own compressed with `compression` (the image's layers stay the
    /// image's blobs, so they are stored once).
    public func export(
        to storage: any CacheStorage, mode: CacheExportMode, images: [[LayerRef]], mounts: [CacheArtifact.Mount: String] = [:],
        compression: Compression = .none
    ) async throws {
        let records = try records(mode: mode, images: images)
        var packed: [CacheArtifact.Mount: LayerRef] = [:]
        for mount in mounts.keys.sorted() where FileManager.default.fileExists(atPath: mounts[mount]!) {
            packed[mount] = try await Self.step("exporting cache mount \(mount.id)", progress: progress, summary: { "\($0.blob.size) bytes" }) {
                try CacheMountArchive.pack(mounts[mount]!, into: local.store, compression: compression)
            }
        }
        let artifact = CacheArtifact(records: records, mounts: packed)
        let recordBytes = Int64(try artifact.encoded().config.count)
        try await Self.step(
            "exporting cache to \(storage.description)", progress: progress, summary: { Self.summary(of: artifact, records: recordBytes) }
        ) {
            try await storage.write(artifact, from: local.store)
        }
    }

    /// Fills `directory` with `mount`'s files from the first imported cache that has them,
    /// fetching their layer; one restore per mount, which every step that mounts it awaits.
    public func restore(_ mount: CacheArtifact.Mount, into directory: String) async -> Bool {
        let task = restoring.withLock { running in
            if let task = running[mount] { return task }
            let task = Task { await self.restoreOnce(mount, into: directory) }
            running[mount] = task
            return task
        }
        return await task.value
    }

    private func restoreOnce(_ mount: CacheArtifact.Mount, into directory: String) async -> Bool {
        guard let (storage, layer) = imports.lazy.compactMap({ source in source.artifact.mounts[mount].map { (source.storage, $0) } }).first
        else { return false }
        do {
            try await Self.step(
                "importing cache mount \(mount.id) from \(storage.description)", progress: progress, summary: { "\(layer.blob.size) bytes" }
            ) {
                if !(try local.store.content.contains(layer.blob)) {
                    try await storage.fetch(layer.blob, into: local.store)
                }
                try CacheMountArchive.restore(layer, from: local.store, into: directory, mount: mount)
            }
            return true
        } catch {
            progress.report(.warning(BuildWarning(message: "cache mount \(mount.id) cannot be restored from \(storage.description), starting empty: \(error)")))
            return false
        }
    }

    /// What this build solved, as an export keeps it: every record (`max`), or those whose
    /// layers are the bottom of one of `images` (`min`); records whose layers the store lacks
    /// are left out.
    public func records(mode: CacheExportMode, images: [[LayerRef]]) throws -> [Digest: [LayerRef]] {
        var records: [Digest: [LayerRef]] = [:]
        for (key, result) in solved.withLock({ $0 }) {
            guard case .layers(let layers, nil) = result, try hasLayers(result) else { continue }
            if mode == .min, !images.contains(where: { layers.count <= $0.count && Array($0.prefix(layers.count)) == layers }) { continue }
            records[key] = layers
        }
        return records
    }

    /// Runs `body` reported as a step of its own named `name`, as BuildKit shows a cache's
    /// import and export among the build's steps.
    /// `summary` says what the step moved (its bytes), as a line of the step's output.
    private static func step<T>(
        _ name: String, progress: ProgressReporter, summary: (T) -> String? = { _ in nil }, _ body: () async throws -> T
    ) async throws -> T {
        let vertex = Digest(of: Data(name.utf8))
        let clock = ContinuousClock()
        let start = clock.now
        progress.report(.started(vertex: vertex, name: name, at: Date()))
        do {
            let result = try await body()
            if let line = summary(result) {
                progress.report(.log(vertex: vertex, stream: .stdout, text: line + "\n"))
            }
            progress.report(.completed(vertex: vertex, name: name, duration: clock.now - start))
            return result
        } catch {
            progress.report(.failed(vertex: vertex, name: name, message: "\(error)"))
            throw error
        }
    }

    /// What a cache holds, in bytes: its records' document (`records` bytes) and its layers,
    /// each counted once.
    private static func summary(of artifact: CacheArtifact, records: Int64) -> String {
        var layers: [Digest: Int64] = [:]
        for layer in Array(artifact.records.values.joined()) + Array(artifact.mounts.values) {
            if let digest = try? layer.blob.digest { layers[digest] = layer.blob.size }
        }
        let mounts = artifact.mounts.isEmpty ? "" : ", cache mounts: \(artifact.mounts.count)"
        return "records: \(artifact.records.count) (\(records) bytes), layers: \(layers.count) (\(layers.values.reduce(0, +)) bytes)\(mounts)"
    }

    private func hasLayers(_ result: BuildResult) throws -> Bool {
        try (result.layers ?? []).allSatisfy { try local.store.content.contains(try $0.blob.digest) }
    }
}
