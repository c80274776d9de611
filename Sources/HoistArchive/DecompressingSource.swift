/// A ``ByteSource`` that decompresses its inner source, detecting gzip, zstd or no
/// compression from the first bytes.
///
/// Multi-member gzip and multi-frame zstd streams are read to the end. Zero bytes after the
/// last gzip member (tape padding) are ignored; anything else after it is an error. bzip2 and
/// xz are recognised and refused with code `unsupported`. A truncated or corrupt stream throws
/// `dataLoss`. A class because the codec state must not be copied.
public final class DecompressingSource<Inner: ByteSource>: ByteSource {
    /// The compressed stream.
    public private(set) var inner: Inner
    /// What the stream turned out to be.
    public let compression: DetectedCompression
    private enum Codec {
        case none
        case gzip(GzipDecoder)
        case zstd(ZstdDecoder)
    }
    private let codec: Codec
    private let input = ByteBuffer(capacity: 256 * 1024)
    private var inputStart = 0
    private var inputEnd = 0
    private var innerEnded = false
    /// The current gzip member or zstd frame has ended (and nothing of a next one was read).
    private var unitEnded = false

    /// Reads the stream's first bytes to detect its format.
    public init(_ inner: Inner) throws {
        self.inner = inner
        while inputEnd < DetectedCompression.magicLength {
            let n = try self.inner.read(into: UnsafeMutableRawBufferPointer(rebasing: input.pointer[inputEnd...]))
            if n == 0 {
                innerEnded = true
                break
            }
            inputEnd += n
        }
        compression = DetectedCompression.detect(UnsafeRawBufferPointer(rebasing: input.pointer[..<inputEnd]))
        switch compression {
        case .none: codec = .none
        case .gzip: codec = .gzip(try GzipDecoder())
        case .zstd: codec = .zstd(try ZstdDecoder())
        case .bzip2, .xz:
            throw ArchiveError(.unsupported, "\(compression.rawValue)-compressed layers are not supported (only gzip and zstd)")
        }
    }

    public func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        guard target.count > 0 else { return 0 }
        switch codec {
        case .none:
            if inputStart < inputEnd {
                let n = min(target.count, inputEnd - inputStart)
                target.baseAddress!.copyMemory(from: input.pointer.baseAddress! + inputStart, byteCount: n)
                inputStart += n
                return n
            }
            return innerEnded ? 0 : try inner.read(into: target)
        case .gzip(let decoder):
            return try readGzip(decoder, into: target)
        case .zstd(let decoder):
            return try readZstd(decoder, into: target)
        }
    }

    private func readGzip(_ decoder: GzipDecoder, into target: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd && !innerEnded { try refill() }
            let available = inputEnd - inputStart
            if unitEnded {
                guard available > 0 else { return 0 }
                let next = input.pointer[inputStart]
                if next == 0x1f {
                    decoder.reset()
                    unitEnded = false
                } else if next == 0 {
                    inputStart += 1
                    continue
                } else {
                    throw ArchiveError(.dataLoss, "corrupt gzip stream: unexpected data after the end of a member")
                }
            }
            let result = try decoder.process(
                UnsafeRawBufferPointer(rebasing: input.pointer[inputStart..<inputEnd]), into: target)
            inputStart += result.consumed
            if result.memberEnded { unitEnded = true }
            if result.produced > 0 { return result.produced }
            if result.memberEnded { continue }
            if result.consumed == 0 && inputStart == inputEnd && innerEnded {
                throw ArchiveError(.dataLoss, "truncated gzip stream")
            }
        }
    }

    private func readZstd(_ decoder: ZstdDecoder, into target: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd && !innerEnded { try refill() }
            let result = try decoder.process(
                UnsafeRawBufferPointer(rebasing: input.pointer[inputStart..<inputEnd]), into: target)
            inputStart += result.consumed
            if result.consumed > 0 || result.produced > 0 { unitEnded = result.frameEnded }
            if result.produced > 0 { return result.produced }
            if inputStart == inputEnd && innerEnded && result.consumed == 0 {
                guard unitEnded else { throw ArchiveError(.dataLoss, "truncated zstd stream") }
                return 0
            }
        }
    }

    private func refill() throws {
        inputStart = 0
        inputEnd = try inner.read(into: input.pointer)
        if inputEnd == 0 { innerEnded = true }
    }
}
