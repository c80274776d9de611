public import HoistOCI
import Foundation

/// A node of the build graph: an operation on the outputs of other vertices.
///
/// Its ``digest`` covers the operation and its inputs' digests — not its display name — so the
/// same work written twice (by two frontends, or two builds) is one vertex.
public struct Vertex: Sendable, Hashable {
    /// The operation.
    public let op: Op
    /// What it works on, in the order the op refers to them.
    public let inputs: [Vertex]
    /// How progress shows the vertex (`[2/4] RUN make`); not part of the digest.
    public let name: String
    /// The frontend's stage the vertex belongs to (a Dockerfile's `AS` name, else `stage-N`),
    /// which `--no-cache-filter` names; not part of the digest.
    public let stage: String?
    /// The stable content digest of the op and its inputs.
    public let digest: Digest
    /// The op's canonical JSON, kept for the cache key, which is the digest of the same
    /// definition over other inputs.
    let canonicalOp: [UInt8]

    public init(_ op: Op, inputs: [Vertex] = [], name: String, stage: String? = nil) {
        self.op = op
        self.inputs = inputs
        self.name = name
        self.stage = stage
        // Encoding plain Codable data cannot fail; a failure would be a bug in Op's Codable.
        guard let canonicalOp = try? CanonicalJSON.encode(op) else { preconditionFailure("build op \(op) is not encodable") }
        self.canonicalOp = Array(canonicalOp)
        self.digest = Self.digest(canonicalOp: self.canonicalOp, inputs: inputs.map(\.digest))
    }

    /// The digest of the op whose canonical JSON is `canonicalOp` over inputs with these
    /// digests: of the canonical JSON of `{"inputs": [digest, …], "op": op}`, put together
    /// here rather than encoded again.
    static func digest(canonicalOp: [UInt8], inputs: [Digest]) -> Digest {
        var bytes = Array(#"{"inputs":"#.utf8)
        bytes += CanonicalJSON.bytes(of: .array(inputs.map { .string($0.description) }))
        bytes += #","op":"#.utf8
        bytes += canonicalOp
        bytes.append(UInt8(ascii: "}"))
        return Digest(of: bytes)
    }

    public static func == (lhs: Vertex, rhs: Vertex) -> Bool { lhs.digest == rhs.digest }
    public func hash(into hasher: inout Hasher) { hasher.combine(digest) }

    /// This vertex and every vertex it depends on, each once, inputs before the vertices that use them.
    public var topologicallySorted: [Vertex] {
        var seen = Set<Digest>()
        var order: [Vertex] = []
        func visit(_ vertex: Vertex) {
            guard seen.insert(vertex.digest).inserted else { return }
            vertex.inputs.forEach(visit)
            order.append(vertex)
        }
        visit(self)
        return order
    }
}
