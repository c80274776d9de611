import Foundation
import HoistOCI

/// The blobs a manifest or index points at, read from its JSON without modelling the rest, so
/// every manifest-like document (OCI, Docker, artifacts) is walked the same way.
struct ContentReferences: Decodable {
    struct Pointer: Decodable {
        let mediaType: String?
        let digest: String
    }
    let config: Pointer?
    let layers: [Pointer]?
    let manifests: [Pointer]?
    let blobs: [Pointer]?
    let subject: Pointer?

    /// The pointers, in document order.
    var pointers: [Pointer] {
        [config, subject].compactMap { $0 } + (layers ?? []) + (manifests ?? []) + (blobs ?? [])
    }

    /// Whether a blob of `mediaType` is a manifest or index, which can point at other blobs.
    static func mayReference(mediaType: String) -> Bool {
        mediaType.hasSuffix("manifest.v1+json") || mediaType.hasSuffix("index.v1+json")
            || mediaType.hasSuffix("manifest.v2+json") || mediaType.hasSuffix("manifest.list.v2+json")
    }
}

extension ContentStore {
    /// Every blob reachable from `roots` (manifests or indexes), roots included. Missing children
    /// are skipped: an image may be partial (one platform of an index) and garbage collection
    /// must still keep what is there. Only manifests and indexes are opened, never layers.
    func reachable(from roots: [(mediaType: String, digest: Digest)]) throws -> Set<Digest> {
        var seen = Set<Digest>()
        var pending = roots
        while let (mediaType, digest) = pending.popLast() {
            guard seen.insert(digest).inserted, ContentReferences.mayReference(mediaType: mediaType),
                  try info(digest) != nil
            else { continue }
            let references: ContentReferences
            do {
                references = try JSONDecoder().decode(ContentReferences.self, from: try data(digest))
            } catch {
                throw StoreError(.dataLoss, "manifest \(digest) cannot be read while walking the store", underlying: error)
            }
            for pointer in references.pointers {
                // A pointer with an unregistered algorithm names content this store cannot hold.
                guard let child = try? Digest(parsing: pointer.digest) else { continue }
                pending.append((pointer.mediaType ?? "", child))
            }
        }
        return seen
    }
}
