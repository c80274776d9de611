public import HoistOCI

/// A ``ByteSource`` that hashes and counts every byte read through it.
public struct DigestingSource<Inner: ByteSource>: ByteSource {
    /// The wrapped source.
    public private(set) var inner: Inner
    private var hasher: DigestHasher

    public init(_ inner: Inner, algorithm: Digest.Algorithm = .sha256) {
        self.inner = inner
        hasher = DigestHasher(algorithm: algorithm)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<n])) }
        return n
    }

    /// The digest of the bytes read so far.
    public var digest: Digest { hasher.finalize() }
    /// The number of bytes read so far.
    public var count: Int64 { hasher.count }
}
