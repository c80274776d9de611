import Foundation
public import HoistArchive
import HoistOCI
public import HoistStore

/// Cache mounts (`RUN --mount=type=cache`) carried in a build cache (`--cache-to …,mounts=true`):
/// a mount's directory as one content-addressed layer, and back.
///
/// Rule for several writers: an export writes the whole of what the exporting store's mount
/// holds, replacing the previous export's (the last export wins); an import fills only a mount
/// the store has never had, so a builder's own files are never overwritten by another's.
public enum CacheMountArchive {
    /// The cache mounts the exec steps among `vertices` mount.
    public static func mounts(of vertices: [Vertex]) -> Set<CacheArtifact.Mount> {
        var mounts: Set<CacheArtifact.Mount> = []
        for vertex in vertices {
            guard case .exec(let exec) = vertex.op else { continue }
            for mount in exec.mounts {
                if case .cache(let id, _, let uid, let gid, let mode) = mount.kind {
                    mounts.insert(CacheArtifact.Mount(id: id, uid: uid, gid: gid, mode: mode))
                }
            }
        }
        return mounts
    }

    /// `directory`'s files as a layer blob in `store`, compressed with `compression`: the same
    /// files give the same blob, which a cache already holding it does not upload again.
    public static func pack(_ directory: String, into store: Store, compression: Compression = .none) throws -> LayerRef {
        let empty = store.root.temporary.appendingPathComponent("mount-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let writer = try store.content.writer(expecting: nil, size: nil)
        do {
            let encoder = try LayerEncoder(writer, compression: compression)
            var sink = encoder
            // Modification times are clamped to the epoch: a cache's files are keyed by content,
            // and an unchanged mount gives the same blob.
            try LayerDiffer(options: LayerDiffer.Options(sourceDateEpoch: 0)).diff(lower: empty, upper: directory, to: &sink)
            try encoder.close()
            let encoded = encoder.result
            let (digest, size) = try writer.commit()
            let mediaType: MediaType = switch compression {
            case .none: .ociLayer
            case .gzip: .ociLayerGzip
            case .zstd: .ociLayerZstd
            }
            return LayerRef(diffID: encoded.diffID, blob: Descriptor(mediaType: mediaType, digest: digest, size: size))
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Fills `directory`, which must not exist, with `layer`'s files from `store`, with `mode`
    /// and owner `uid`:`gid` on the directory itself. The directory appears only when complete.
    ///
    /// - Throws: ``BuildError`` (`notFound`) when the blob is not in the store; what the
    ///   archive reader throws (`dataLoss` for bytes that are not the layer's).
    public static func restore(_ layer: LayerRef, from store: Store, into directory: String, mount: CacheArtifact.Mount) throws {
        guard let blob = store.content.path(try layer.blob.digest) else {
            throw BuildError(.notFound, "layer \(layer.blob.digestString) of cache mount \(mount.id) is not in the store")
        }
        let staging = directory + ".hoist-restoring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: mount.mode])
        do {
            _ = try LayerApplier(root: staging, options: LayerApplier.Options(expectedDiffID: layer.diffID)).apply(try FileByteSource(path: blob))
            _ = chmod(staging, mode_t(mount.mode & 0o7777))
            _ = lchown(staging, uid_t(mount.uid), gid_t(mount.gid))
            // A step of this build that made the directory meanwhile keeps it: its files win.
            guard rename(staging, directory) == 0 else {
                throw BuildError(.alreadyExists, "cache mount \(mount.id) was made while it was restored")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }
}
