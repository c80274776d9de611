public import Foundation
public import HoistOCI

/// A build cache as an OCI artifact: an image manifest whose `artifactType` says it is Hoist's
/// build cache, whose config blob holds the records (each step's cache key and the layers of
/// its result), and whose layers are the layer blobs themselves — the very blobs of the built
/// image, so a registry or directory holding the image holds those of the cache already. With
/// `mounts=true` the config also names, for each cache mount, the layer of its files.
///
/// One manifest, not BuildKit's index of cache layers: stock registries take an image manifest
/// with any config media type (an index with a non-image config is what ECR refused), and one
/// document is read before any layer, so lookups stay lazy.
public struct CacheArtifact: Sendable, Hashable {
    /// The manifest's `artifactType`.
    public static let artifactType: MediaType = "application/vnd.hoist.build-cache.v1"
    /// The media type of the config blob, the records.
    public static let configMediaType: MediaType = "application/vnd.hoist.build-cache.config.v1+json"

    /// A cache mount (`RUN --mount=type=cache`) as builds on one store know it: its id and the
    /// owner and mode its directory starts with (the same id with another is another cache).
    public struct Mount: Sendable, Hashable, Codable, Comparable {
        public var id: String
        public var uid: Int
        public var gid: Int
        public var mode: UInt32

        public init(id: String, uid: Int = 0, gid: Int = 0, mode: UInt32 = 0o755) {
            self.id = id
            self.uid = uid
            self.gid = gid
            self.mode = mode
        }

        public static func < (a: Mount, b: Mount) -> Bool {
            (a.id, a.uid, a.gid, a.mode) < (b.id, b.uid, b.gid, b.mode)
        }
    }

    /// The layers each cache key's step produced, bottom first.
    public var records: [Digest: [LayerRef]]
    /// The contents of cache mounts, each as one layer (`--cache-to …,mounts=true`).
    public var mounts: [Mount: LayerRef]

    public init(records: [Digest: [LayerRef]], mounts: [Mount: LayerRef] = [:]) {
        self.records = records
        self.mounts = mounts
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
        struct MountRecord: Codable {
            var mount: Mount
            var layer: Int
        }
        var layers: [Layer]
        var records: [Record]
        /// Left out when there are none, so a cache without mounts has the bytes it had before.
        var mounts: [MountRecord]?
    }

    /// The manifest and the config bytes it names; the same records always give the same bytes.
    public func encoded() throws -> (manifest: ImageManifest, config: Data) {
        var blobs: [Descriptor] = []
        var layers: [Document.Layer] = []
        var positions: [String: Int] = [:]
        var records: [Document.Record] = []
        func position(of layer: LayerRef) throws -> Int {
            let plain = Descriptor(mediaType: layer.blob.mediaType, digest: try layer.blob.digest, size: layer.blob.size)
            let identity = "\(layer.diffID) \(plain.digestString)"
            if let known = positions[identity] { return known }
            positions[identity] = blobs.count
            blobs.append(plain)
            layers.append(Document.Layer(diffID: layer.diffID, created: layer.created))
            return blobs.count - 1
        }
        for key in self.records.keys.sorted() {
            records.append(Document.Record(key: key, layers: try self.records[key]!.map(position(of:))))
        }
        let mounts = try self.mounts.keys.sorted().map { Document.MountRecord(mount: $0, layer: try position(of: self.mounts[$0]!)) }
        let config = try CanonicalJSON.encode(Document(layers: layers, records: records, mounts: mounts.isEmpty ? nil : mounts))
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
        var mounts: [Mount: LayerRef] = [:]
        for record in document.mounts ?? [] {
            guard refs.indices.contains(record.layer) else {
                throw BuildError(.invalidArgument, "the build cache's cache mount \(record.mount.id) names a layer it does not have")
            }
            mounts[record.mount] = refs[record.layer]
        }
        self.records = records
        self.mounts = mounts
    }
}
