public import HoistOCI

/// What a push put into a registry.
public struct PushResult: Sendable, Hashable {
    /// Where the image went, normalised.
    public let reference: Reference
    /// The manifest or index pushed, as the registry now knows it.
    public let target: Descriptor
    /// Bytes uploaded; 0 when the registry had every blob already.
    public let uploadedBytes: Int64
}
