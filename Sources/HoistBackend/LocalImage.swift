import Foundation
package import HoistBuild
package import HoistOCI
package import HoistStore

/// An image record of the store opened up: the manifest for this host and its config.
package struct LocalImage: Sendable {
    /// The manifest or index the image's name points at.
    package let target: Descriptor
    /// The normalised name it was found by, if any.
    package let name: String?
    /// The manifest: the record's target, or the host's entry of its index.
    package let manifestDescriptor: Descriptor
    package let manifest: ImageManifest
    package let config: ImageConfig
    /// The image ID.
    package let configDigest: Digest

    package init(record: ImageRecord, store: Store) throws {
        try self.init(target: record.target, name: record.name, store: store)
    }

    package init(target: Descriptor, name: String?, store: Store) throws {
        self.target = target
        self.name = name
        var descriptor = target
        if descriptor.mediaType.isIndex {
            let index = try JSONDecoder().decode(ImageIndex.self, from: try store.content.data(try descriptor.digest))
            guard let chosen = index.manifest(for: .host) else {
                throw ClientError(.notFound, "image \(name ?? descriptor.digestString) has no manifest for \(Platform.host)")
            }
            descriptor = chosen
        }
        manifestDescriptor = descriptor
        manifest = try Self.decode(ImageManifest.self, try store.content.data(try descriptor.digest), what: "manifest \(descriptor.digestString)")
        configDigest = try manifest.config.digest
        config = try Self.decode(ImageConfig.self, try store.content.data(configDigest), what: "config \(configDigest)")
    }

    /// The image a build just exported, without reading back what it wrote.
    package init(_ exported: ExportedImage, name: String?) throws {
        target = exported.target
        self.name = name
        manifestDescriptor = exported.target
        manifest = exported.manifest
        config = exported.config
        configDigest = try exported.manifest.config.digest
    }

    /// Stored bytes of config and layers.
    package var size: Int64 { manifest.totalSize }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ClientError(.dataLoss, "\(what) in the store cannot be read", underlying: error)
        }
    }
}
