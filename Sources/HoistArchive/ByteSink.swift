/// A synchronous destination for bytes: a file, a memory buffer, a compressor, a hasher.
///
/// Lifecycle: any number of ``write(_:)`` calls, then one ``close()``, which flushes buffered
/// bytes (a compressor writes its trailer) and closes what the sink owns. Writing after
/// `close()` is a programming error.
public protocol ByteSink {
    /// Writes all of `bytes` (a sink never writes part of a buffer and returns).
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes and finishes the stream.
    mutating func close() throws
}

extension ByteSink {
    /// Writes all of `bytes`.
    public mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
