public import HoistBuild
public import HoistOCI

/// What the Dockerfile frontend hands the build engine: the graph of the target stage and how
/// to turn its result into an image.
public struct DockerfileBuildPlan: Sendable {
    /// The target stage's final filesystem.
    public var target: Vertex
    /// The image config, without rootfs and history (the exporter fills them in).
    public var config: ImageConfig
    /// The history of the image the target stage starts from.
    public var baseHistory: [HistoryEntry]
    /// The target stage's own steps (and those of stages it is built on), in order.
    public var steps: [BuildStep]
}
