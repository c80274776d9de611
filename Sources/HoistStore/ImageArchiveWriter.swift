#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI

/// Writes images from the store to an archive file, in Docker-archive or OCI-layout form.
///
/// The archive is written to a temporary file beside the destination and renamed into place
/// when complete, so a failure or a crash never leaves a half archive under the name asked for.
struct ImageArchiveWriter {
    let store: Store
    /// Told of each blob as it is written (`save`'s bars).
    var progress: TransferProgressHandler = { _ in }

    /// One image to write: the names to give it (familiar for Docker archives, e.g.
    /// `busybox:latest`; full for OCI, e.g. `docker.io/library/busybox:latest`) and its target.
    struct Entry {
        var names: [String]
        var target: Descriptor
    }

    func write(_ entries: [Entry], format: ImageArchiveFormat, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).hoist-\(UUID().uuidString)"
        do {
            let file = try FileByteSink(path: temporary, permissions: 0o644, syncOnClose: true)
            var tar = TarWriter(file)
            switch format {
            case .docker: try writeDocker(entries, to: &tar)
            case .oci: try writeLayout(entries, to: &tar)
            }
            try tar.finish()
            try file.close()
            try systemCall("cannot move the archive to \(path)") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    // MARK: OCI layout

    private func writeLayout(_ entries: [Entry], to tar: inout TarWriter<FileByteSink>) throws {
        try tar.writeEntry(TarHeader(name: "blobs", type: .directory, mode: 0o755))
        try tar.writeEntry(TarHeader(name: "blobs/sha256", type: .directory, mode: 0o755))
        var written = Set<Digest>()
        var manifests: [Descriptor] = []
        for entry in entries {
            let root = try entry.target.digest
            for digest in try store.content.reachable(from: [(entry.target.mediaType.rawValue, root)]).sorted()
            where written.insert(digest).inserted {
                try writeBlob(digest, as: "blobs/\(digest.pathComponent)", to: &tar)
            }
            if entry.names.isEmpty { manifests.append(entry.target) }
            for name in entry.names {
                var descriptor = entry.target
                var annotations = ["io.containerd.image.name": name]
                if let reference = try? Reference(parsing: name), let tag = reference.tag {
                    annotations["org.opencontainers.image.ref.name"] = tag
                }
                descriptor.annotations = annotations
                manifests.append(descriptor)
            }
        }
        try tar.writeEntry(TarHeader(name: "oci-layout"), bytes: Array(try CanonicalJSON.encode(ImageLayout())))
        try tar.writeEntry(TarHeader(name: "index.json"), bytes: Array(try CanonicalJSON.encode(ImageIndex(manifests: manifests))))
    }

    // MARK: Docker archive

    private func writeDocker(_ entries: [Entry], to tar: inout TarWriter<FileByteSink>) throws {
        var manifestEntries: [DockerArchiveManifest] = []
        var written = Set<String>()
        for entry in entries {
            let manifestDescriptor = try singleManifest(entry.target)
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: try store.content.data(try manifestDescriptor.digest))
            let configDigest = try manifest.config.digest
            let config = try JSONDecoder().decode(ImageConfig.self, from: try store.content.data(configDigest))
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw StoreError(.dataLoss, "image \(manifestDescriptor.digestString): its config lists \(config.rootfs.diffIDs.count) layers, its manifest \(manifest.layers.count)")
            }
            let configName = "\(configDigest.encoded).json"
            if written.insert(configName).inserted {
                try writeBlob(configDigest, as: configName, to: &tar)
            }
            var layerNames: [String] = []
            for (layer, diffID) in zip(manifest.layers, config.rootfs.diffIDs) {
                let name = "\(diffID.encoded)/layer.tar"
                layerNames.append(name)
                guard written.insert(name).inserted else { continue }
                try tar.writeEntry(TarHeader(name: diffID.encoded, type: .directory, mode: 0o755))
                try writeUncompressedLayer(layer, diffID: diffID, as: name, to: &tar)
            }
            manifestEntries.append(DockerArchiveManifest(
                config: configName, repoTags: entry.names.isEmpty ? nil : entry.names, layers: layerNames))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try tar.writeEntry(TarHeader(name: "manifest.json"), bytes: Array(try encoder.encode(manifestEntries)))
    }

    /// The manifest to write for `target`: itself, or the host's entry of an index.
    private func singleManifest(_ target: Descriptor) throws -> Descriptor {
        guard target.mediaType.isIndex else { return target }
        let index = try JSONDecoder().decode(ImageIndex.self, from: try store.content.data(try target.digest))
        guard let chosen = index.manifest(for: .host), try store.content.info(try chosen.digest) != nil else {
            throw StoreError(.notFound, "image index \(target.digestString) has no manifest for this host's platform (\(Platform.host)) in the store")
        }
        return chosen
    }

    /// Docker archives hold plain tars: a compressed layer is decompressed into a temporary
    /// file first, because a tar entry's size must be known before its contents.
    private func writeUncompressedLayer(_ layer: Descriptor, diffID: Digest, as name: String,
                                        to tar: inout TarWriter<FileByteSink>) throws {
        let digest = try layer.digest
        if digest == diffID {
            try writeBlob(digest, as: name, to: &tar)
            return
        }
        let blob = try blobPath(digest)
        let temporary = store.root.temporary.appendingPathComponent("layer-\(UUID().uuidString).tar").path
        defer { unlink(temporary) }
        var source = DigestingSource(try DecompressingSource(try FileByteSource(path: blob)))
        let sink = try FileByteSink(path: temporary)
        var sinkCopy = sink
        let size = try source.copy(to: &sinkCopy)
        try sink.close()
        guard source.digest == diffID else {
            throw StoreError(.dataLoss, "layer \(digest) decompresses to \(source.digest), not its diff ID \(diffID)")
        }
        var contents = try FileByteSource(path: temporary)
        try tar.writeEntry(TarHeader(name: name, size: size), contents: &contents)
    }

    // MARK: Helpers

    private func writeBlob(_ digest: Digest, as name: String, to tar: inout TarWriter<FileByteSink>) throws {
        let path = try blobPath(digest)
        guard let info = try store.content.info(digest) else {
            throw StoreError(.notFound, "blob \(digest) is not in the store")
        }
        var contents = try FileByteSource(path: path)
        progress(TransferProgress(digest: digest, mediaType: .ociLayer, phase: .uploading, completed: 0, total: info.size))
        try tar.writeEntry(TarHeader(name: name, mode: 0o644, size: info.size), contents: &contents)
        progress(TransferProgress(digest: digest, mediaType: .ociLayer, phase: .complete, completed: info.size, total: info.size))
    }

    private func blobPath(_ digest: Digest) throws -> String {
        guard let path = store.content.path(digest) else {
            throw StoreError(.notFound, "blob \(digest) is not in the store")
        }
        return path
    }
}
