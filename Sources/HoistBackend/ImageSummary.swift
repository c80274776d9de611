public import Foundation
public import HoistOCI

/// An image as `hoist images` lists it.
public struct ImageSummary: Sendable, Hashable, Codable {
    /// The normalised name, or nil for a nameless (dangling) image.
    public var reference: Reference?
    /// The image ID: the digest of its config, as Docker shows it.
    public var id: Digest
    /// The digest of its manifest (or index).
    public var digest: Digest
    /// When the image was created.
    public var created: Date
    /// The bytes of its layers and config as stored.
    public var size: Int64

    /// The repository as `docker images` prints it (`busybox`, `<none>`).
    public var repository: String { reference?.familiarName ?? "<none>" }
    /// The tag as `docker images` prints it (`latest`, `<none>`).
    public var tag: String { reference?.tag ?? "<none>" }

    package init(reference: Reference? = nil, id: Digest, digest: Digest, created: Date, size: Int64) {
        self.reference = reference
        self.id = id
        self.digest = digest
        self.created = created
        self.size = size
    }
}
