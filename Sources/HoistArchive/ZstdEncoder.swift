import CZstd

/// A libzstd compression stream.
final class ZstdEncoder {
    private let context: OpaquePointer

    /// A zstd stream at `level` whose jobs run on up to `threads` threads.
    init(level: Int32, threads: Int) throws {
        guard let context = ZSTD_createCCtx() else {
            throw ArchiveError(.internal, "zstd: cannot allocate a compression context")
        }
        self.context = context
        let result = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        guard ZSTD_isError(result) == 0 else {
            throw ArchiveError(
                .invalidArgument, "zstd: invalid compression level \(level)", cause: String(cString: ZSTD_getErrorName(result)))
        }
        // A checksum in each frame lets `zstd -t` and readers detect corruption.
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        // Always at least one worker: libzstd's output is the same for any number of workers,
        // but not the same as with none (its single-threaded mode).
        let workers = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(max(1, threads)))
        guard ZSTD_isError(workers) == 0 else {
            throw ArchiveError(.unsupported, "zstd: this libzstd cannot compress on several threads", cause: String(cString: ZSTD_getErrorName(workers)))
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    func process(
        _ input: UnsafeRawBufferPointer, finish: Bool, output: ByteBuffer, emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: output.pointer.baseAddress, size: output.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, finish ? ZSTD_e_end : ZSTD_e_continue)
            guard ZSTD_isError(remaining) == 0 else {
                throw ArchiveError(.internal, "zstd compression failed", cause: String(cString: ZSTD_getErrorName(remaining)))
            }
            if outBuffer.pos > 0 { try emit(UnsafeRawBufferPointer(rebasing: output.pointer[..<outBuffer.pos])) }
            if finish {
                if remaining == 0 { return }
            } else if inBuffer.pos == inBuffer.size {
                return
            }
        }
    }
}
