import Foundation
import HoistOCI
import HoistStore
import HoistTestSupport

/// Images written straight into a store for registry tests: layers of given bytes (the registry
/// never unpacks them), a config naming the platform, a manifest, and indexes of manifests.
enum ImageFixtures {
    /// Stores a manifest of `layers` for `platform` and returns its descriptor (with platform).
    static func writeImage(into store: Store, layers: [Data], platform: Platform, label: String = "") throws -> Descriptor {
        let layerDescriptors = try layers.map { bytes in
            let (digest, size) = try store.content.write(bytes)
            return Descriptor(mediaType: .ociLayer, digest: digest, size: size)
        }
        var config = ImageConfig(platform: platform)
        config.created = "2026-01-02T03:04:05Z"
        config.rootfs = RootFS(diffIDs: try layerDescriptors.map { try $0.digest })
        config.history = [HistoryEntry(createdBy: "fixture \(label)")]
        let configData = try config.canonicalJSON()
        let (configDigest, configSize) = try store.content.write(configData)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: configDigest, size: configSize), layers: layerDescriptors)
        let manifestData = try manifest.canonicalJSON()
        let (digest, size) = try store.content.write(manifestData)
        return Descriptor(mediaType: .ociManifest, digest: digest, size: size, platform: platform)
    }

    /// Stores an index of `manifests` and returns its descriptor.
    static func writeIndex(into store: Store, manifests: [Descriptor]) throws -> Descriptor {
        let data = try ImageIndex(manifests: manifests).canonicalJSON()
        let (digest, size) = try store.content.write(data)
        return Descriptor(mediaType: .ociIndex, digest: digest, size: size)
    }

    /// `count` bytes that do not compress and differ from run to run.
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: count)
        data.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
        }
        return data
    }
}
