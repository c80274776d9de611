import CZstd

/// A libzstd decompression stream; consecutive frames are decoded one after another.
final class ZstdDecoder {
    private let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createDCtx() else {
            throw ArchiveError(.internal, "zstd: cannot allocate a decompression context")
        }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses from `input` into `output`; `frameEnded` is true when the last call
    /// completed a frame and flushed all of it.
    func process(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (
        consumed: Int, produced: Int, frameEnded: Bool
    ) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        guard ZSTD_isError(hint) == 0 else {
            throw ArchiveError(.dataLoss, "corrupt zstd stream", cause: String(cString: ZSTD_getErrorName(hint)))
        }
        return (inBuffer.pos, outBuffer.pos, hint == 0)
    }
}
