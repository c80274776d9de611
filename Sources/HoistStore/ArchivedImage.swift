public import Foundation
public import HoistOCI

/// An image read from or written to an archive: its manifest (or index) and the names the
/// archive gives it, as written there (not normalised).
public struct ArchivedImage: Sendable, Hashable {
    /// Names as the archive spells them (`busybox:latest`, `docker.io/library/busybox:latest`).
    public var names: [String]
    /// The manifest or index.
    public var target: Descriptor
    /// When the image was created, from its config; nil when unknown (an index).
    public var created: Date?

    public init(names: [String], target: Descriptor, created: Date?) {
        self.names = names
        self.target = target
        self.created = created
    }
}
