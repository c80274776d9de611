/// A ``ByteSink`` that compresses what it is given (gzip or zstd) into its inner sink.
///
/// ``close()`` writes the compressed stream's trailer and then closes the inner sink.
/// A class because the codec state must not be copied.
public final class CompressingSink<Inner: ByteSink>: ByteSink {
    /// The sink receiving compressed bytes.
    public private(set) var inner: Inner
    private enum Codec {
        case none
        case gzip(GzipEncoder)
        case zstd(ZstdEncoder)
    }
    private let codec: Codec
    private let output = ByteBuffer(capacity: 256 * 1024)
    private var closed = false

    /// Compresses into `inner` as `compression` says, on up to `threads` threads (default: one
    /// per core); the bytes are the same for any number of threads. Throws `invalidArgument` for
    /// a bad level.
    public init(_ inner: Inner, _ compression: Compression, threads: Int = Compression.defaultThreads) throws {
        self.inner = inner
        switch compression {
        case .none: codec = .none
        case .gzip(let level): codec = .gzip(try GzipEncoder(level: level, threads: threads))
        case .zstd(let level): codec = .zstd(try ZstdEncoder(level: level, threads: threads))
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try process(bytes, finish: false)
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        try process(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
        try inner.close()
    }

    private func process(_ bytes: UnsafeRawBufferPointer, finish: Bool) throws {
        switch codec {
        case .none:
            if bytes.count > 0 { try inner.write(bytes) }
        case .gzip(let encoder):
            try encoder.process(bytes, finish: finish, output: output) { try inner.write($0) }
        case .zstd(let encoder):
            try encoder.process(bytes, finish: finish, output: output) { try inner.write($0) }
        }
    }
}
