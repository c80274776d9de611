public import HoistOCI

/// A worker that sends each `RUN` step of a platform that has a worker of its own (a builder
/// node: an engine on a machine of that architecture) there, and everything else — sources,
/// checksums, file operations, the steps of other platforms — to `default`.
///
/// Only where a step runs changes, never what it is: its op, so its cache key, is the one it
/// has on `default`, and the node's result is a layer chain in the same store. File operations
/// stay with `default` because they run no program of the platform.
public struct PlatformRoutedWorker: Worker {
    let `default`: any Worker
    /// Workers by normalised platform.
    let nodes: [Platform: any Worker]

    /// `nodes`' keys are normalised here; a node for this host's platform takes the steps
    /// that name no platform (``ExecOp/platform`` is nil for the host's).
    public init(default: any Worker, nodes: [Platform: any Worker]) {
        self.default = `default`
        self.nodes = Dictionary(nodes.map { ($0.key.normalized, $0.value) }) { first, _ in first }
    }

    /// The worker that runs `op`.
    func worker(for op: ExecOp) -> any Worker {
        nodes[op.platform?.normalized ?? Platform.host.normalized] ?? `default`
    }

    public func source(_ op: SourceOp, context: StepContext) async throws -> BuildResult {
        try await `default`.source(op, context: context)
    }

    public func exec(_ op: ExecOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        try await worker(for: op).exec(op, inputs: inputs, context: context)
    }

    public func file(_ op: FileOp, inputs: [BuildResult], context: StepContext) async throws -> BuildResult {
        try await `default`.file(op, inputs: inputs, context: context)
    }

    public func checksum(of result: BuildResult, paths: [String], excluding: [String]) async throws -> Digest {
        try await `default`.checksum(of: result, paths: paths, excluding: excluding)
    }
}
