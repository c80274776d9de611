public import Foundation
public import HoistOCI

/// A container the store keeps until it is removed: which image it was made from, the
/// snapshot that holds its files, and its settings as the caller encoded them. Whether it runs
/// and how it ended is not here: that is the runtime's state and the files of its directory.
public struct ContainerRecord: Sendable, Hashable {
    /// 64 lowercase hex digits.
    public var id: String
    /// Unique among the store's containers.
    public var name: String
    /// The image as it was asked for (`busybox`, `sha256:3f5…`).
    public var image: String
    /// The image's manifest or index, kept from garbage collection while the container exists.
    public var imageTarget: Descriptor
    /// The image ID.
    public var imageID: Digest
    public var created: Date
    /// The active snapshot with the container's root file system.
    public var snapshotKey: SnapshotKey
    /// The container's settings, encoded by the layer that owns them.
    public var configuration: Data

    public init(
        id: String, name: String, image: String, imageTarget: Descriptor, imageID: Digest, created: Date,
        snapshotKey: SnapshotKey, configuration: Data
    ) {
        self.id = id
        self.name = name
        self.image = image
        self.imageTarget = imageTarget
        self.imageID = imageID
        self.created = created
        self.snapshotKey = snapshotKey
        self.configuration = configuration
    }

    /// A new random container ID.
    public static func newID() -> String {
        (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max)) }.joined()
    }
}
