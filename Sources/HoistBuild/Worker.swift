public import HoistOCI

/// Does the work of a build's vertices. The solver decides what to run and caches results; a
/// worker runs one op at a time on results it produced before.
///
/// Implementations: the native worker (snapshots and an OCI runtime). Every method may be called
/// concurrently for different vertices.
public protocol Worker: Sendable {
    /// Resolves a source: an image's layers and config, a local directory, a download.
    func source(_ op: SourceOp, context: StepContext) async throws -> BuildResult
    /// Runs `op` on `inputs` (one per op input, in order) and returns the new filesystem.
    func exec(_ op: ExecOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult
    /// Applies file changes to `inputs[0]` (or to scratch when there are no inputs).
    func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult
    /// The digest of exactly the files under `paths` of a directory result, which a cache key
    /// of an op reading them includes (so editing another file changes no key); `excluding`
    /// patterns (`COPY --exclude`) are relative to each path.
    func checksum(of result: BuildResult, paths: [String], excluding: [String]) async throws -> Digest
}

/// What a worker gets to know of the step it runs: its name and where its output goes.
public struct StepContext: Sendable {
    /// The vertex's display name.
    public var name: String
    /// The vertex's digest.
    public var digest: Digest
    /// Receives the step's output lines and status.
    public var progress: ProgressReporter

    public init(name: String, digest: Digest, progress: ProgressReporter) {
        self.name = name
        self.digest = digest
        self.progress = progress
    }

    /// Reports a chunk of the step's output.
    public func log(_ text: String, stream: ProgressEvent.Stream = .stdout) {
        progress.output(of: digest, stream: stream, Array(text.utf8))
    }

    /// Reports a chunk of the step's output as the command wrote it (kept byte for byte by a
    /// ``StepLogs`` recorder, shown as text).
    public func log(bytes: [UInt8], stream: ProgressEvent.Stream = .stdout) {
        progress.output(of: digest, stream: stream, bytes)
    }
}
