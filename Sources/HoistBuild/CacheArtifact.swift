public import Foundation
public import HoistOCI

/// A build cache as an OCI artifact: an image manifest whose `artifactType` says it is Hoist's
/// build cache, whose config blob holds the records (each step's cache key and the layers of
/// its result), and whose layers are the layer blobs themselves — the very blobs of the built
/// image, so a registry or directory holding the image holds those of the cache already.
///
/// One manifest, not BuildKit's index of cache layers: stock registries take an image manifest
/// with any config media type (an index with a non-image config is what ECR refused), and one
/// document is read before any layer, so lookups stay lazy.
public struct CacheArtifact: Sendable, Hashable {
    /// The manifest's `artifactType`.
    public static let artifactType: MediaType = "application/vnd.hoist.build-cache.v1"
    /// The media type of the config blob, the records.
    public static let configMediaType: MediaType = "application/vnd.hoist.build-cache.config.v1+json"

    /// The layers each cache key's step produced, bottom first.
    public var records: [Digest: [LayerRef]]

    public init(records: [Digest: [LayerRef]]) {
        self.records = records
    }

    /// The config document: every layer once (in the manifest's order, with what the manifest
    /// does not say of it), and each record as indexes into that list.
    private struct Document: Codable {
        struct Layer: Codable {
            var diffID: Digest
            var created: String?
        }
        struct Record: Codable {
            var key: Digest
            var layers: [Int]
        }
        var layers: [Layer]
        var records: [Record]
    }

    /// The manifest and the config bytes it names; the same records always give the same bytes.
    public func encoded() throws -> (manifest: ImageManifest, config: Data) {
        var blobs: [Descriptor] = []
        var layers: [Document.Layer] = []
        var positions: [String: Int] = [:]
        var records: [Document.Record] = []
        for key in self.records.keys.sorted() {
            var indexes: [Int] = []
            for layer in self.records[key]! {
                let plain = Descriptor(mediaType: layer.blob.mediaType, digest: try layer.blob.digest, size: layer.blob.size)
                let identity = "\(layer.diffID) \(plain.digestString)"
                if let known = positions[identity] {
                    indexes.append(known)
                    continue
                }
                positions[identity] = blobs.count
                indexes.append(blobs.count)
                blobs.append(plain)
                layers.append(Document.Layer(diffID: layer.diffID, created: layer.created))
            }
            records.append(Document.Record(key: key, layers: indexes))
        }
        let config = try CanonicalJSON.encode(Document(layers: layers, records: records))
        let manifest = ImageManifest(
            artifactType: Self.artifactType,
            config: Descriptor(mediaType: Self.configMediaType, digest: Digest(of: config), size: Int64(config.count)),
            layers: blobs)
        return (manifest, config)
    }

    /// The records of `manifest`, whose config blob is `config`.
    ///
    /// - Throws: ``BuildError`` (`invalidArgument`) when the manifest is not a Hoist build cache
    ///   or the config does not match it.
    public init(manifest: ImageManifest, config: Data) throws {
        guard manifest.artifactType == Self.artifactType || manifest.config.mediaType == Self.configMediaType else {
            throw BuildError(.invalidArgument, "not a Hoist build cache (artifact type \(manifest.artifactType?.rawValue ?? "none"))")
        }
        guard (try? manifest.config.digest) == Digest(of: config) else {
            throw BuildError(.dataLoss, "the build cache's records do not match their digest \(manifest.config.digestString)")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: config)
        } catch {
            throw BuildError(.invalidArgument, "the build cache's records cannot be read: \(error)")
        }
        guard document.layers.count == manifest.layers.count else {
            throw BuildError(.invalidArgument, "the build cache lists \(document.layers.count) layers in its records and \(manifest.layers.count) in its manifest")
        }
        let refs = zip(document.layers, manifest.layers).map { LayerRef(diffID: $0.diffID, blob: $1, created: $0.created) }
        var records: [Digest: [LayerRef]] = [:]
        for record in document.records {
            guard record.layers.allSatisfy({ refs.indices.contains($0) }) else {
                throw BuildError(.invalidArgument, "the build cache's record \(record.key) names a layer it does not have")
            }
            records[record.key] = record.layers.map { refs[$0] }
        }
        self.records = records
    }
}
