import CZlib
import Dispatch
import Synchronization

/// gzip written in independent blocks that several threads deflate at once, by pigz's method:
/// the input is cut every ``blockSize`` bytes, each block is deflated with the 32 KiB before it
/// as its dictionary and ended on a byte boundary (a sync flush; the last block finishes the
/// stream), and the pieces joined in order are one deflate stream under one gzip header and
/// trailer. The bytes depend on the level and the block size only — never on the number of
/// threads or on how the input was split into writes — so a layer's digest is the same on any
/// machine. A class: it owns the blocks in flight.
final class GzipEncoder {
    /// pigz's block size: big enough that the sync markers cost nothing measurable.
    static let defaultBlockSize = 128 * 1024
    /// Deflate's window: what a block may refer back to in the one before it.
    private static let window = 32 * 1024

    private let level: Int32
    private let blockSize: Int
    private let threads: Int
    private let streams: DeflateStreams
    /// The input of the block being filled.
    private var pending: [UInt8] = []
    /// The last ``window`` bytes of the input before `pending`.
    private var dictionary: [UInt8] = []
    /// Blocks handed to the threads, oldest first; written out in this order.
    private var inFlight: [GzipBlock] = []
    private var checksum: uLong = crc32(0, nil, 0)
    private var length: UInt64 = 0
    private var headerWritten = false

    /// A gzip stream at `level` (1…9) deflated on up to `threads` threads (1: on the caller's).
    init(level: Int32, threads: Int, blockSize: Int = GzipEncoder.defaultBlockSize) throws {
        guard (1...9).contains(level) else {
            throw ArchiveError(.invalidArgument, "gzip: cannot start compressor at level \(level) (levels are 1 to 9)")
        }
        self.level = level
        self.threads = max(1, threads)
        self.blockSize = max(GzipEncoder.window, blockSize)
        streams = DeflateStreams(level: level)
        pending.reserveCapacity(self.blockSize)
    }

    /// Compresses `input` (or, with `finish`, the rest and the trailer), handing output to `emit`
    /// in order. `output` is unused: each block has its own buffer.
    func process(
        _ input: UnsafeRawBufferPointer, finish: Bool, output: ByteBuffer, emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        if !headerWritten {
            headerWritten = true
            // As zlib writes it: no name, no time, the level's hint (2: best, 4: fastest), Unix.
            let hint: UInt8 = level == 9 ? 2 : level == 1 ? 4 : 0
            try [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, hint, 3].withUnsafeBytes(emit)
        }
        var rest = input[...]
        while !rest.isEmpty {
            let taken = rest.prefix(blockSize - pending.count)
            pending.append(contentsOf: taken)
            rest = rest.dropFirst(taken.count)
            if pending.count == blockSize { try submit(last: false, emit: emit) }
        }
        guard finish else { return }
        try submit(last: true, emit: emit)
        while !inFlight.isEmpty { try writeOldest(emit) }
        var trailer = [UInt8]()
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: UInt64(checksum) >> UInt64(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { trailer.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        try trailer.withUnsafeBytes(emit)
    }

    private func submit(last: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        // Bounded memory: at most two blocks per thread wait to be written.
        while inFlight.count >= threads * 2 { try writeOldest(emit) }
        let block = GzipBlock(input: pending, dictionary: dictionary, last: last)
        dictionary = pending.count >= Self.window
            ? Array(pending.suffix(Self.window)) : Array((dictionary + pending).suffix(Self.window))
        pending.removeAll(keepingCapacity: true)
        inFlight.append(block)
        if threads == 1 {
            block.deflate(with: streams)
        } else {
            DispatchQueue.global(qos: .userInitiated).async { [streams] in block.deflate(with: streams) }
        }
    }

    private func writeOldest(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let block = inFlight.removeFirst()
        block.done.wait()
        if let failure = block.failure { throw ArchiveError(.internal, "gzip compression failed (zlib status \(failure))") }
        checksum = crc32_combine(checksum, block.checksum, .init(block.input.count))
        length &+= UInt64(block.input.count)
        try block.output.withUnsafeBytes(emit)
    }
}

/// One block of a ``GzipEncoder`` stream: its input, and once ``done`` is signalled its deflated
/// bytes and the CRC-32 of its input. Written by one thread, read after `done` by the writer.
private final class GzipBlock: @unchecked Sendable {
    let input: [UInt8]
    let dictionary: [UInt8]
    let last: Bool
    private(set) var output: [UInt8] = []
    private(set) var checksum: uLong = 0
    private(set) var failure: Int32?
    let done = DispatchSemaphore(value: 0)

    init(input: [UInt8], dictionary: [UInt8], last: Bool) {
        self.input = input
        self.dictionary = dictionary
        self.last = last
    }

    func deflate(with streams: DeflateStreams) {
        defer { done.signal() }
        checksum = input.withUnsafeBufferPointer { crc32(crc32(0, nil, 0), $0.baseAddress, uInt($0.count)) }
        guard let stream = streams.take() else {
            failure = Z_MEM_ERROR
            return
        }
        defer { streams.give(stream) }
        if !dictionary.isEmpty {
            let status = dictionary.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, uInt($0.count)) }
            guard status == Z_OK else {
                failure = status
                return
            }
        }
        // Room for the whole block at once: the bound, plus the flush marker.
        output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))) + 16)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = uInt(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = uInt(target.count)
                return CZlib.deflate(stream, last ? Z_FINISH : Z_SYNC_FLUSH)
            }
        }
        guard status == (last ? Z_STREAM_END : Z_OK), stream.pointee.avail_in == 0 else {
            failure = status
            return
        }
        output.removeLast(Int(stream.pointee.avail_out))
    }
}

/// Raw deflate streams at one level, kept for the next block: a stream costs about 256 KiB to
/// set up, a reset almost nothing. A block's bytes do not depend on which stream it gets.
private final class DeflateStreams: Sendable {
    private let level: Int32
    private let idle = Mutex<[StreamPointer]>([])

    private struct StreamPointer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<z_stream>
    }

    init(level: Int32) {
        self.level = level
    }

    deinit {
        for stream in idle.withLock({ $0 }) {
            deflateEnd(stream.pointer)
            stream.pointer.deallocate()
        }
    }

    /// A stream ready for a new block (reset, or new), or nil when zlib cannot make one.
    func take() -> UnsafeMutablePointer<z_stream>? {
        if let reused = idle.withLock({ $0.popLast() }) {
            deflateReset(reused.pointer)
            return reused.pointer
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // Negative window bits: raw deflate, the gzip framing is the encoder's.
        let status = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            return nil
        }
        return stream
    }

    func give(_ stream: UnsafeMutablePointer<z_stream>) {
        idle.withLock { $0.append(StreamPointer(pointer: stream)) }
    }
}
