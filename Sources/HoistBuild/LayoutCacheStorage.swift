import Foundation
import HoistArchive
public import HoistOCI
public import HoistStore

/// A build cache in an OCI image layout directory (`--cache-to type=local,dest=DIR`): `oci-layout`,
/// `index.json` naming the cache manifest, and `blobs/sha256/…`, as BuildKit's local cache and
/// `skopeo`/`oras` lay a directory out. Blobs a directory has are kept, so an export after an
/// export copies only new layers; every file appears complete (written aside, then renamed).
public struct LayoutCacheStorage: CacheStorage {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var description: String { directory }

    /// The `org.opencontainers.image.ref.name` the manifest has in `index.json`.
    static let tag = "latest"

    public func readArtifact(through store: Store) async throws -> (manifest: ImageManifest, artifact: CacheArtifact)? {
        let indexPath = directory + "/index.json"
        guard FileManager.default.fileExists(atPath: indexPath) else { return nil }
        let index = try JSONDecoder().decode(ImageIndex.self, from: try Data(contentsOf: URL(fileURLWithPath: indexPath)))
        let entries = index.manifests.filter { $0.mediaType.isManifest }
        guard let entry = entries.first(where: { $0.annotations?["org.opencontainers.image.ref.name"] == Self.tag }) ?? entries.first
        else {
            throw BuildError(.invalidArgument, "\(indexPath) names no manifest")
        }
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: try verifiedData(entry))
        let config = try verifiedData(manifest.config)
        return (manifest, try CacheArtifact(manifest: manifest, config: config))
    }

    public func fetch(_ blob: Descriptor, into store: Store) async throws {
        let digest = try blob.digest
        try store.content.hold(digest)
        if try store.content.contains(blob) { return }
        var source = try FileByteSource(path: path(of: digest))
        defer { source.close() }
        var writer = try store.content.writer(expecting: digest, size: blob.size)
        do {
            _ = try source.copy(to: &writer)
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    public func write(_ artifact: CacheArtifact, from store: Store) async throws {
        let (manifest, config) = try artifact.encoded()
        let manifestData = try CanonicalJSON.encode(manifest)
        let blobs = directory + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        for layer in manifest.layers {
            let digest = try layer.digest
            let target = path(of: digest)
            if FileManager.default.fileExists(atPath: target) { continue }
            guard let source = store.content.path(digest) else {
                throw BuildError(.notFound, "layer \(digest) of the build cache is not in the store")
            }
            try replace(target) { try FileManager.default.copyItem(atPath: source, toPath: $0) }
        }
        try replace(path(of: try manifest.config.digest)) { try config.write(to: URL(fileURLWithPath: $0)) }
        try replace(path(of: Digest(of: manifestData))) { try manifestData.write(to: URL(fileURLWithPath: $0)) }
        try replace(directory + "/" + ImageLayout.fileName) {
            try CanonicalJSON.encode(ImageLayout()).write(to: URL(fileURLWithPath: $0))
        }
        let entry = Descriptor(
            mediaType: .ociManifest, digest: Digest(of: manifestData), size: Int64(manifestData.count),
            annotations: ["org.opencontainers.image.ref.name": Self.tag], artifactType: CacheArtifact.artifactType)
        // The index last: until it is replaced, a reader sees the previous cache whole.
        try replace(directory + "/index.json") {
            try CanonicalJSON.encode(ImageIndex(manifests: [entry])).write(to: URL(fileURLWithPath: $0))
        }
    }

    private func path(of digest: Digest) -> String {
        "\(directory)/blobs/\(digest.pathComponent)"
    }

    /// The bytes of `descriptor`'s blob, refused unless they have its digest.
    private func verifiedData(_ descriptor: Descriptor) throws -> Data {
        let digest = try descriptor.digest
        let data = try Data(contentsOf: URL(fileURLWithPath: path(of: digest)))
        guard Digest(of: data, algorithm: digest.algorithm) == digest else {
            throw BuildError(.dataLoss, "\(path(of: digest)) does not match its digest")
        }
        return data
    }

    /// Writes `path` through `write` on a file beside it, renamed into place when complete.
    private func replace(_ path: String, _ write: (String) throws -> Void) throws {
        let partial = path + ".hoist-partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try write(partial)
            guard rename(partial, path) == 0 else {
                throw BuildError(.failedPrecondition, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }
}
