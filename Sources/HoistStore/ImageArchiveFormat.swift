/// The two archive forms `hoist save` writes and `hoist load` reads.
public enum ImageArchiveFormat: String, Sendable, CaseIterable {
    /// `docker save`'s form: `manifest.json`, `CONFIG.json`, `LAYER/layer.tar` (plain tars).
    case docker
    /// An OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) in a tar.
    case oci
}
