public import HoistOCI

/// A build graph as JSON for tooling (`hoist build --print-graph`): every vertex once, inputs
/// before the vertices that use them, each with its stable digest, display name, operation and
/// the digests of its inputs; `target` is the digest of the vertex the build produces.
public struct BuildGraphDocument: Sendable, Encodable {
    public struct Node: Sendable, Encodable {
        public var digest: Digest
        public var name: String
        public var op: Op
        public var inputs: [Digest]
    }

    public var target: Digest
    public var vertices: [Node]

    public init(_ target: Vertex) {
        self.target = target.digest
        vertices = target.topologicallySorted.map { Node(digest: $0.digest, name: $0.name, op: $0.op, inputs: $0.inputs.map(\.digest)) }
    }
}
