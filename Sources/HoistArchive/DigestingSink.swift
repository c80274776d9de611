public import HoistOCI

/// A ``ByteSink`` that hashes and counts every byte written through it to its inner sink.
public struct DigestingSink<Inner: ByteSink>: ByteSink {
    /// The wrapped sink.
    public private(set) var inner: Inner
    private var hasher: DigestHasher

    public init(_ inner: Inner, algorithm: Digest.Algorithm = .sha256) {
        self.inner = inner
        hasher = DigestHasher(algorithm: algorithm)
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        try inner.write(bytes)
    }

    public mutating func close() throws {
        try inner.close()
    }

    /// The digest of the bytes written so far.
    public var digest: Digest { hasher.finalize() }
    /// The number of bytes written so far.
    public var count: Int64 { hasher.count }
}
