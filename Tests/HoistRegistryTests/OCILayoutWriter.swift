import Foundation
import HoistOCI
import HoistStore

/// Copies an image (manifest or index and everything below it) from a store into an OCI image
/// layout directory, for skopeo to read as `oci:DIR:TAG`.
enum OCILayoutWriter {
    static func write(_ target: Descriptor, from store: Store, to directory: URL, tag: String) throws {
        let blobs = directory.appendingPathComponent("blobs/sha256", isDirectory: true)
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        func copy(_ descriptor: Descriptor) throws {
            let digest = try descriptor.digest
            let data = try store.content.data(digest)
            try data.write(to: blobs.appendingPathComponent(digest.encoded))
            if descriptor.mediaType.isIndex {
                for child in try JSONDecoder().decode(ImageIndex.self, from: data).manifests { try copy(child) }
            } else if descriptor.mediaType.isManifest {
                let manifest = try JSONDecoder().decode(ImageManifest.self, from: data)
                for blob in [manifest.config] + manifest.layers {
                    try store.content.data(try blob.digest).write(to: blobs.appendingPathComponent(try blob.digest.encoded))
                }
            }
        }
        try copy(target)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: directory.appendingPathComponent("oci-layout"))
        var entry = target
        entry.platform = nil
        entry.annotations = ["org.opencontainers.image.ref.name": tag]
        try ImageIndex(mediaType: .ociIndex, manifests: [entry]).canonicalJSON().write(to: directory.appendingPathComponent("index.json"))
    }
}
