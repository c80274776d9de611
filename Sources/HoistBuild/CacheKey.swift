import Foundation
import HoistOCI

/// How a vertex's cache key is made: the op's definition with each input replaced by what
/// identifies its content — the input's own cache key, or for a local directory the checksum of
/// exactly the files the op reads from it.
enum CacheKey {
    static func of(_ vertex: Vertex, inputKeys: [Digest], salt: String = "") -> Digest {
        let key = Vertex.digest(canonicalOp: vertex.canonicalOp, inputs: inputKeys)
        return salt.isEmpty ? key : Digest(of: Data("\(key) \(salt)".utf8))
    }

    /// The paths `op` reads from input `index`, for checksumming a directory input.
    static func pathsRead(by op: Op, fromInput index: Int) -> (paths: [String], excluding: [String]) {
        switch op {
        case .file(let file):
            var paths: [String] = []
            var excludes: [String] = []
            for case .copy(let copy) in file.actions where copy.sourceInput == index {
                paths += copy.keepParents ? copy.sources.map(CopySemantics.pathRead(byParentsSource:)) : copy.sources
                excludes += copy.excludes
            }
            return (paths.isEmpty ? ["/"] : paths, excludes)
        case .exec(let exec):
            let selectors = exec.mounts.filter { $0.input == index }.map(\.selector)
            return (selectors.isEmpty ? ["/"] : selectors, [])
        case .source, .merge:
            return (["/"], [])
        }
    }

    /// The key of a source op, from what it resolved to: an image is identified by its layers
    /// and config, so a name that moves to new content gets a new key.
    static func ofSource(_ op: SourceOp, result: BuildResult) -> Digest {
        struct Identity: Encodable {
            let op: SourceOp
            let layers: [Digest]
            let config: ImageConfig?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: OpCodingKey.self)
                try container.encode(op, forKey: "op")
                try container.encode(layers, forKey: "layers")
                try container.encodeIfPresent(config, forKey: "config")
            }
        }
        let layers: [Digest]
        let config: ImageConfig?
        switch result {
        case .layers(let refs, let imageConfig):
            layers = refs.map(\.diffID)
            config = imageConfig
        case .directory:
            layers = []
            config = nil
        }
        guard let bytes = try? CanonicalJSON.encode(Identity(op: op, layers: layers, config: config)) else {
            preconditionFailure("source identity of \(op) is not encodable")
        }
        return Digest(of: bytes)
    }
}
