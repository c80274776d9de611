
/// One entry of an image's history as a frontend describes it: what made it and, for a step
/// that may change files, the vertex whose result tells whether it added a layer.
public struct BuildStep: Sendable, Hashable {
    /// The history's `created_by` (`RUN /bin/sh -c make # buildkit`).
    public var createdBy: String
    /// The vertex that made the step's files, or nil for a step that only changes the config.
    public var vertex: Vertex?
    /// The comment.
    public var comment: String?

    public init(createdBy: String, vertex: Vertex? = nil, comment: String? = nil) {
        self.createdBy = createdBy
        self.vertex = vertex
        self.comment = comment
    }
}
