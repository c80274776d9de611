public import Foundation
public import HoistOCI

/// An image the store wrote: its manifest's descriptor (what a name points at), the manifest
/// and the config it was written from.
public struct WrittenImage: Sendable {
    public let target: Descriptor
    public let manifest: ImageManifest
    public let config: ImageConfig
    /// The image ID: the config's digest.
    public var id: Digest { get throws { try manifest.config.digest } }
}

/// The one place images are made, for builds, commits, imports and S2I alike: the config blob,
/// then the manifest over the layers, then the names.
extension Store {
    /// Writes `config` (canonical JSON) and an OCI manifest over `layers` (blobs in the store,
    /// lowest first); names nothing.
    public func writeImage(config: ImageConfig, layers: [Descriptor]) throws -> WrittenImage {
        let configBlob = try content.write(try CanonicalJSON.encode(config))
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configBlob.digest, size: configBlob.size), layers: layers)
        let manifestBlob = try content.write(try CanonicalJSON.encode(manifest))
        return WrittenImage(
            target: Descriptor(mediaType: .ociManifest, digest: manifestBlob.digest, size: manifestBlob.size),
            manifest: manifest, config: config)
    }

    /// Writes an OCI index over `manifests` (manifests in the store, each with its platform):
    /// one image for several platforms, as a multi-platform build makes it. Names nothing.
    public func writeIndex(manifests: [Descriptor]) throws -> Descriptor {
        let blob = try content.write(try CanonicalJSON.encode(ImageIndex(manifests: manifests)))
        return Descriptor(mediaType: .ociIndex, digest: blob.digest, size: blob.size)
    }

    /// Gives the image `target` the names `names` (normalised references), or keeps it as an
    /// image without a name when there are none, as `docker build` without `-t` and `docker
    /// commit` without a name keep theirs.
    public func name(_ target: Descriptor, as names: [String], created: Date) throws {
        if names.isEmpty { try addUnnamed(target: target, created: created) }
        for name in names { try setName(name, target: target, created: created) }
    }
}
