public import Foundation
public import HoistOCI
import HoistArchive
import HoistBuild
import HoistNativeBackend
import HoistStore

extension Client {
    /// Makes a one-layer image from a root filesystem tar (plain or gzip/zstd-compressed), as
    /// `docker import` does, names it `name`, and returns it.
    ///
    /// - Parameters:
    ///   - changes: Dockerfile instructions applied to the image config (`CMD ["sh"]`,
    ///     `ENV A=b`, `WORKDIR /app`, …), as `docker import --change` takes them.
    ///   - message: the history comment.
    ///   - platform: the platform the config claims (default: the host's).
    /// - Throws: ``ClientError`` with `notFound` for a missing file, `invalidArgument` for a
    ///   file that is not a tar or a bad name or change; the store is unchanged then.
    @discardableResult
    public func importImage(rootfs: URL, as name: String, changes: [String] = [], message: String? = nil,
                            platform: Platform = .host) throws -> ImageSummary {
        let reference = try parseReference(name)
        var containerConfig = ContainerConfig()
        try ConfigChange.apply(changes, to: &containerConfig)
        guard FileManager.default.fileExists(atPath: rootfs.path) else {
            throw ClientError(.notFound, "\(rootfs.path): no such file")
        }
        return try store.withWriteLease {
            let layer = try storeLayer(from: rootfs.path)
            let now = Date()
            let created = ImageExporter.timestamp(now)
            var config = ImageConfig(platform: platform)
            config.created = created
            config.config = containerConfig
            config.rootfs = RootFS(diffIDs: [layer.diffID])
            config.history = [HistoryEntry(created: created, createdBy: "hoist import \(rootfs.lastPathComponent)", comment: message ?? "Imported from \(rootfs.lastPathComponent)")]
            let image = try store.writeImage(config: config, layers: [layer.descriptor])
            try store.name(image.target, as: [reference.description], created: now)
            return ImageSummary(
                reference: reference, id: try image.id, digest: try image.target.digest, created: now, size: image.manifest.totalSize)
        }
    }

    /// Copies a layer tar into the store as it is and checks it is a tar, computing its diff ID
    /// (the digest of the uncompressed tar). A file that is not a tar leaves nothing behind.
    private func storeLayer(from path: String) throws -> (descriptor: Descriptor, diffID: Digest) {
        let writer = try store.content.writer(expecting: nil, size: nil)
        var sink = writer
        do {
            var file = try FileByteSource(path: path)
            try file.copy(to: &sink)
        } catch {
            writer.abort()
            throw ClientError(.invalidArgument, "cannot read \(path)", underlying: error)
        }
        let (digest, size) = try writer.commit()
        do {
            let decompressed = try DecompressingSource(try FileByteSource(path: store.content.path(digest) ?? path))
            var reader = TarReader(DigestingSource(decompressed))
            var entries = 0
            while try reader.next() != nil { entries += 1 }
            guard entries > 0 else { throw ClientError(.invalidArgument, "the archive has no entries") }
            try reader.drainSource()
            let mediaType: MediaType = switch decompressed.compression {
            case .gzip: .ociLayerGzip
            case .zstd: .ociLayerZstd
            default: .ociLayer
            }
            return (Descriptor(mediaType: mediaType, digest: digest, size: size), reader.source.digest)
        } catch {
            // Unless another operation holds it (or it is named): it may have found it present.
            if !writer.wasPresent { try? store.removeUnheld([digest], apartFrom: Lease.current) }
            throw ClientError(.invalidArgument, "\(path) is not a tar archive", underlying: error)
        }
    }
}
