public import Foundation
public import HoistOCI

/// A blob in containerd's content store.
public struct ContentInfo: Sendable, Hashable {
    public var digest: Digest
    public var size: Int64
    public var created: Date
    public var updated: Date
    /// Among them the garbage collector's references (`containerd.io/gc.ref.content.*`), which
    /// keep the blobs this one names alive while it is.
    public var labels: [String: String]
}

/// A write to the content store under way, by its ref (`ctr content active`).
public struct ContentWriteStatus: Sendable, Hashable {
    public var ref: String
    /// Bytes received so far.
    public var offset: Int64
    /// The size announced, 0 when unknown.
    public var total: Int64
    /// The digest announced, if any.
    public var expected: Digest?
    public var started: Date
    public var updated: Date
}
