import HoistBuild
import HoistOCI

/// What the Dockerfile frontend hands the build engine: the graph of the target stage and how
/// to turn its result into an image.
struct DockerfileBuildPlan: Sendable {
    /// The target stage's final filesystem.
    var target: Vertex
    /// The image config, without rootfs and history (the exporter fills them in).
    var config: ImageConfig
    /// The history of the image the target stage starts from.
    var baseHistory: [HistoryEntry]
    /// The target stage's own steps (and those of stages it is built on), in order.
    var steps: [BuildStep]
}
