public import Foundation
public import HoistOCI

/// A build cache kept in the image's own config (`--cache-to type=inline`), as BuildKit keeps
/// it: the member `moby.buildkit.cache.v0` of the config holds, as Base64 text, a document of
/// the image's layers (each with the index of the layer below it, `parent`, -1 at the bottom)
/// and records (a cache key and the index of the top layer of its result). Only the image's own
/// steps can be kept so (BuildKit's inline cache is `mode=min` only too), and a puller needs
/// nothing but the image: its manifest gives each layer's blob, its config each diff ID.
///
/// The shape is BuildKit's (`cache/remotecache/v1/spec.go`: `layers[].blob`, `layers[].parent`,
/// `layers[].annotations`, `records[].digest`, `records[].layers[].layer`), but the keys are
/// Hoist's, so each builder reads only the records the other wrote as misses.
public enum InlineCache {
    /// The image config member BuildKit names.
    public static let field = "moby.buildkit.cache.v0"

    private struct Document: Codable {
        struct Layer: Codable {
            var blob: Digest
            var parent: Int?
            var annotations: Annotations?
        }
        /// What BuildKit's `LayerAnnotations` says of a layer beside its blob.
        struct Annotations: Codable {
            var mediaType: MediaType?
            var diffID: Digest?
            var size: Int64?
            var createdAt: String?
        }
        struct Record: Codable {
            struct Result: Codable {
                var layer: Int
            }
            var digest: Digest
            var layers: [Result]
        }
        var layers: [Layer]
        var records: [Record]
    }

    /// The config member for `records` in an image whose layers are `image`, bottom first:
    /// each record whose result is the image's bottom layers; nil when none is.
    public static func encode(_ records: [Digest: [LayerRef]], image: [LayerRef]) throws -> JSONValue? {
        var kept: [Document.Record] = []
        for key in records.keys.sorted() {
            let layers = records[key]!
            guard !layers.isEmpty, layers.count <= image.count, Array(image.prefix(layers.count)) == layers else { continue }
            kept.append(Document.Record(digest: key, layers: [Document.Record.Result(layer: layers.count - 1)]))
        }
        guard !kept.isEmpty else { return nil }
        let layers = try image.enumerated().map { index, layer in
            Document.Layer(
                blob: try layer.blob.digest, parent: index - 1,
                annotations: Document.Annotations(
                    mediaType: layer.blob.mediaType, diffID: layer.diffID, size: layer.blob.size, createdAt: layer.created))
        }
        let document = try CanonicalJSON.encode(Document(layers: layers, records: kept))
        return .string(document.base64EncodedString())
    }

    /// The records kept in `config`, an image whose manifest is `manifest`; nil when it keeps none.
    ///
    /// - Throws: ``BuildError`` (`invalidArgument`) when the member cannot be read or names a
    ///   layer the image does not have.
    public static func decode(config: ImageConfig, manifest: ImageManifest) throws -> CacheArtifact? {
        guard let member = config.unknownFields[field] else { return nil }
        guard case .string(let text) = member, let data = Data(base64Encoded: text) else {
            throw BuildError(.invalidArgument, "the image's \(field) is not Base64 text")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw BuildError(.invalidArgument, "the image's \(field) cannot be read: \(error)")
        }
        let diffIDs = config.rootfs.diffIDs
        // Each listed layer as the image has it: its blob from the manifest, its diff ID from
        // the config at the same position.
        let layers = try document.layers.map { layer -> LayerRef in
            guard let position = manifest.layers.firstIndex(where: { (try? $0.digest) == layer.blob }), position < diffIDs.count else {
                throw BuildError(.invalidArgument, "the image's \(field) names a layer \(layer.blob) the image does not have")
            }
            return LayerRef(diffID: diffIDs[position], blob: manifest.layers[position], created: layer.annotations?.createdAt)
        }
        var records: [Digest: [LayerRef]] = [:]
        for record in document.records {
            guard let top = record.layers.first?.layer else { continue }
            var chain: [LayerRef] = []
            var index = top
            while index >= 0 {
                guard layers.indices.contains(index), chain.count < layers.count else {
                    throw BuildError(.invalidArgument, "the image's \(field) record \(record.digest) names a layer it does not have")
                }
                chain.insert(layers[index], at: 0)
                // BuildKit leaves out `parent` when it is 0; the bottom layer's is -1.
                index = document.layers[index].parent ?? 0
            }
            records[record.digest] = chain
        }
        return CacheArtifact(records: records)
    }
}
