public import HoistOCI

/// The digests and sizes of a layer written by ``LayerEncoder``.
public struct EncodedLayer: Sendable, Hashable {
    /// Digest of the compressed blob (the layer descriptor's digest).
    public var digest: Digest
    /// Size of the compressed blob in bytes.
    public var size: Int64
    /// Digest of the uncompressed tar (the image config's `rootfs.diff_ids` entry).
    public var diffID: Digest
    /// Size of the uncompressed tar in bytes.
    public var uncompressedSize: Int64
    /// How the blob is compressed.
    public var compression: Compression
}

/// A ``ByteSink`` taking an uncompressed layer tar, hashing it, compressing it and hashing the
/// compressed bytes on their way to `inner` — both digests in one pass.
///
/// Write the tar (for instance through a ``TarWriter``), then call ``close()`` and read
/// ``result``. With ``Compression/none`` the two digests are equal.
public final class LayerEncoder<Inner: ByteSink>: ByteSink {
    private var uncompressed = DigestHasher()
    private let compressor: CompressingSink<DigestingSink<Inner>>
    /// The compression applied.
    public let compression: Compression
    private var closed = false

    /// Encodes into `inner`, compressing on up to `threads` threads (the bytes do not depend on it).
    public init(_ inner: Inner, compression: Compression, threads: Int = Compression.defaultThreads) throws {
        self.compression = compression
        compressor = try CompressingSink(DigestingSink(inner), compression, threads: threads)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        uncompressed.update(bytes)
        try compressor.write(bytes)
    }

    /// Finishes compression and closes the inner sink.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try compressor.close()
    }

    /// The compressed sink, for instance to read a ``MemoryByteSink``'s bytes after ``close()``.
    public var inner: Inner { compressor.inner.inner }

    /// Digests and sizes; complete after ``close()``.
    public var result: EncodedLayer {
        EncodedLayer(
            digest: compressor.inner.digest, size: compressor.inner.count, diffID: uncompressed.finalize(),
            uncompressedSize: uncompressed.count, compression: compression)
    }

    /// Reads a whole tar from `source`, compresses it into `sink` (closing it) and returns the
    /// digests.
    public static func encode(_ source: inout some ByteSource, to sink: Inner, compression: Compression) throws -> EncodedLayer {
        let encoder = try LayerEncoder(sink, compression: compression)
        var target = encoder
        try source.copy(to: &target)
        try encoder.close()
        return encoder.result
    }
}
