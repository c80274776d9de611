/// A synchronous source of bytes, read in chunks: a file, a memory buffer, a decompressor, the
/// contents of a tar entry.
///
/// Sources are pull-based and single-pass. Wrappers (``DigestingSource``,
/// ``DecompressingSource``, ``TarReader``) are generic over their inner source so the hot path
/// has no dynamic dispatch.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer` and returns how many were read; 0 means
    /// the end of the stream (and only that: a source never returns 0 for a non-empty buffer
    /// before its end).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read.
    public mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }

    /// Reads everything that is left into an array.
    public mutating func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return result }
            result.append(contentsOf: chunk[..<n])
        }
    }

    /// Copies everything that is left into `sink` (without closing it); returns the byte count.
    @discardableResult
    public mutating func copy(to sink: inout some ByteSink, bufferSize: Int = 1 << 20) throws -> Int64 {
        let buffer = ByteBuffer(capacity: bufferSize)
        var total: Int64 = 0
        while true {
            let n = try read(into: buffer.pointer)
            if n == 0 { return total }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer.pointer[..<n]))
            total += Int64(n)
        }
    }

    /// Reads and discards everything that is left; returns the byte count.
    @discardableResult
    public mutating func drain() throws -> Int64 {
        let buffer = ByteBuffer(capacity: 256 * 1024)
        var total: Int64 = 0
        while true {
            let n = try read(into: buffer.pointer)
            if n == 0 { return total }
            total += Int64(n)
        }
    }
}
