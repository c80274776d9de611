import Foundation
import Testing

@testable import HoistArchive

/// Layers are compressed on every core, and their bytes (so their digests) must not depend on
/// how many there are, nor on how the tar writer happened to cut its writes.
@Suite struct ParallelCompressionTests {
    static func compress(_ data: [UInt8], _ compression: Compression, threads: Int, writeSize: Int) throws -> [UInt8] {
        let sink = try CompressingSink(MemoryByteSink(), compression, threads: threads)
        var offset = 0
        try data.withUnsafeBytes { all in
            while offset < all.count {
                let end = min(all.count, offset + writeSize)
                try sink.write(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                offset = end
            }
        }
        try sink.close()
        return sink.inner.bytes
    }

    /// Sizes around the block boundaries: empty, under one block, exactly two, and a large run.
    static let sizes = [0, 1000, 2 * GzipEncoder.defaultBlockSize, 2_500_000]

    @Test(arguments: [Compression.gzip(level: 1), .gzip, .gzip(level: 9), .zstd, .zstd(level: 19)])
    func theBytesAreTheSameForOneTwoAndSixteenThreads(compression: Compression) throws {
        for size in Self.sizes {
            let data = CompressionTests.sampleData(size)
            let reference = try Self.compress(data, compression, threads: 1, writeSize: 1 << 20)
            for (threads, writeSize) in [(2, 7777), (16, 100_000), (2, 1)] where writeSize > 1 || size <= 1000 {
                let other = try Self.compress(data, compression, threads: threads, writeSize: writeSize)
                #expect(other == reference, "\(compression), \(size) bytes: \(threads) threads writing \(writeSize) at a time differ")
            }
            #expect(try CompressionTests.decompress(reference) == data, "\(compression), \(size) bytes")
        }
    }

    /// gzip's and zstd's own tools read the parallel streams, and gzip's test of the CRC and
    /// length in the trailer passes.
    @Test(arguments: [Compression.gzip, .zstd])
    func theToolsReadWhatSeveralThreadsWrote(compression: Compression) throws {
        let tmp = try TempDirectory()
        let data = CompressionTests.sampleData(3_000_000)
        try writeFile(tmp.path + "/blob", try Self.compress(data, compression, threads: 2, writeSize: 65_536))
        let tool = compression == .gzip ? "/usr/bin/gzip" : "/usr/bin/zstd"
        #expect(try run(tool, ["-t", tmp.path + "/blob"]).status == 0)
        #expect(try run(tool, ["-d", "-c", tmp.path + "/blob"]).stdout == data)
    }

    /// Block-wise deflate costs little against one stream: within 1 % of the size zlib alone gives.
    @Test func blocksCostAlmostNothingInSize() throws {
        let tmp = try TempDirectory()
        let data = CompressionTests.sampleData(3_000_000)
        try writeFile(tmp.path + "/plain", data)
        let zlibAlone = try run("/usr/bin/gzip", ["-6", "-c", "-n", tmp.path + "/plain"]).stdout.count
        let blocks = try Self.compress(data, .gzip, threads: 2, writeSize: 65_536).count
        #expect(Double(blocks) <= Double(zlibAlone) * 1.01, "\(blocks) bytes in blocks, \(zlibAlone) from gzip -6")
    }
}
