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

extension Op {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        switch self {
        case .source(let op): try container.encodeCase("source", op)
        case .exec(let op): try container.encodeCase("exec", op)
        case .file(let op): try container.encodeCase("file", op)
        case .merge: _ = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "merge")
        }
    }
}
