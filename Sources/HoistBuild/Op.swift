/// One operation of a build graph: plain data, so it has a stable digest (see ``Vertex``).
public enum Op: Sendable, Hashable, Codable {
    /// Files from outside the build: an image, a local directory, a URL, a git repository.
    case source(SourceOp)
    /// A command run on its inputs.
    case exec(ExecOp)
    /// File changes.
    case file(FileOp)
    /// The layers of all inputs stacked, in order.
    case merge
}
