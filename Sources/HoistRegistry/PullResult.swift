public import Foundation
public import HoistOCI

/// What a pull stored.
public struct PullResult: Sendable, Hashable {
    /// The reference pulled, normalised.
    public let reference: Reference
    /// The platform's manifest, which the store now names `reference`.
    public let manifest: Descriptor
    /// The index the reference resolved to, when it was one.
    public let index: Descriptor?
    /// The image config's digest (the image ID).
    public let configDigest: Digest
    /// The image's platform, from its config.
    public let platform: Platform
    /// When the image was created, from its config.
    public let created: Date?
    /// Bytes downloaded; 0 when the store had every blob already.
    public let downloadedBytes: Int64
}
