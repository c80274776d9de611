public import Foundation
public import HoistOCI

/// A named image in the store: a name and the manifest or index it points at.
public struct ImageRecord: Sendable, Hashable {
    /// The normalised reference (`docker.io/library/busybox:latest`), or nil for an image that
    /// lost its last name to a newer image (shown as `<none>` like Docker's dangling images).
    public let name: String?
    /// The manifest or index.
    public let target: Descriptor
    /// When the image was created (from its config), or when it was stored if that is unknown.
    public let created: Date
    /// When the name was last pointed at this target.
    public let updated: Date
}

extension ImageRecord {
    init(_ row: ImageRow) throws {
        name = row.name
        target = Descriptor(
            mediaType: MediaType(row.mediaType),
            digest: try Digest(parsing: row.digest),
            size: row.size)
        created = Date(timeIntervalSince1970: row.created)
        updated = Date(timeIntervalSince1970: row.updated)
    }
}
