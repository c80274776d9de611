public import Foundation
public import HoistOCI

/// An image record of containerd: a name (a full reference, `docker.io/library/busybox:latest`)
/// pointing at a manifest or index in the content store.
public struct ContainerdImage: Sendable, Hashable {
    public var name: String
    public var target: Descriptor
    public var labels: [String: String]
    public var created: Date
    public var updated: Date

    public init(name: String, target: Descriptor, labels: [String: String] = [:], created: Date = Date(), updated: Date = Date()) {
        self.name = name
        self.target = target
        self.labels = labels
        self.created = created
        self.updated = updated
    }
}
