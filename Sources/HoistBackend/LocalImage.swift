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

    /// The record's image for `platform` (nil: this host's); see ``init(target:name:store:platform:)``.
    package init(record: ImageRecord, store: Store, platform: Platform? = nil) throws {
        try self.init(target: record.target, name: record.name, store: store, platform: platform)
    }

    /// The image `target` names, for `platform` (nil: this host's, else an index's first): an
    /// index's entry for it, or a lone manifest whose config is for it (a lone manifest is taken
    /// as it is when no platform is asked for). `notFound` otherwise.
    package init(target: Descriptor, name: String?, store: Store, platform: Platform? = nil) throws {
        self.target = target
        self.name = name
        var descriptor = target
        let matcher = platform.map { PlatformMatcher(compatibleWith: $0) } ?? .host
        if descriptor.mediaType.isIndex {
            let index = try JSONDecoder().decode(ImageIndex.self, from: try store.content.data(try descriptor.digest))
            // Without a platform asked for, an index with none for this host (a build for other
            // platforms) still shows as an image: its first platform's.
            let fallback = platform == nil ? index.manifests.first { $0.platform != nil && $0.mediaType.isManifest } : nil
            guard let chosen = index.manifest(for: matcher) ?? fallback else {
                let offered = index.manifests.compactMap(\.platform).map(\.description).joined(separator: ", ")
                throw ClientError(
                    .notFound, "image \(name ?? descriptor.digestString) has no manifest for \(platform ?? Platform.host) (it has \(offered.isEmpty ? "none" : offered))")
            }
            descriptor = chosen
        }
        manifestDescriptor = descriptor
        manifest = try Self.decode(ImageManifest.self, try store.content.data(try descriptor.digest), what: "manifest \(descriptor.digestString)")
        configDigest = try manifest.config.digest
        config = try Self.decode(ImageConfig.self, try store.content.data(configDigest), what: "config \(configDigest)")
        if let platform, !target.mediaType.isIndex, !matcher.matches(config.platform) {
            throw ClientError(.notFound, "image \(name ?? target.digestString) in the store is for \(config.platform), not \(platform)")
        }
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
