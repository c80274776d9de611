/// A ``ByteSink`` that discards what it is given: with ``DigestingSink``, a way to only hash.
public struct DiscardingSink: ByteSink, Sendable {
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {}
    public mutating func close() throws {}
}
