import Foundation
import HoistOCI
import Testing

@testable import HoistArchive

@Suite struct CompressionTests {
    static let formats: [Compression] = [.gzip(level: 1), .gzip, .zstd(level: 1), .zstd, .none]

    /// Compressible but not trivial data: text with random runs.
    static func sampleData(_ size: Int = 2_500_000) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(size)
        var generator = SeededGenerator(seed: 42)
        while data.count < size {
            data += Array("line \(data.count) of the sample ".utf8)
            data += (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 97...122, using: &generator) }
        }
        return Array(data[..<size])
    }

    static func compress(_ data: [UInt8], _ compression: Compression) throws -> EncodedLayer.WithBytes {
        var source = MemoryByteSource(data)
        var encoder = try LayerEncoder(MemoryByteSink(), compression: compression)
        try source.copy(to: &encoder, bufferSize: 100_000)
        try encoder.close()
        #expect(encoder.inner.isClosed)
        return .init(layer: encoder.result, bytes: encoder.inner.bytes)
    }

    static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        var source = try DecompressingSource(MemoryByteSource(bytes))
        return try source.readAll()
    }

    @Test(arguments: formats)
    func roundTripGivesTheSameBytesAndBothDigests(compression: Compression) throws {
        let data = Self.sampleData()
        let encoded = try Self.compress(data, compression)
        #expect(encoded.layer.diffID == Digest(of: data))
        #expect(encoded.layer.uncompressedSize == Int64(data.count))
        #expect(encoded.layer.digest == Digest(of: encoded.bytes))
        #expect(encoded.layer.size == Int64(encoded.bytes.count))
        if compression != .none { #expect(encoded.bytes.count < data.count / 2) }
        #expect(try Self.decompress(encoded.bytes) == data)
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func hoistOutputIsReadByTheCommandLineToolsAndDigestsMatchSha256sum(compression: Compression) throws {
        let tmp = try TempDirectory()
        let data = Self.sampleData()
        let encoded = try Self.compress(data, compression)
        let path = tmp.path + "/blob"
        try writeFile(path, encoded.bytes)
        let tool = compression == .gzip ? "/usr/bin/gzip" : "/usr/bin/zstd"
        let output = try run(tool, ["-d", "-c", path]).stdout
        #expect(output == data)
        let compressedSum = try run("/usr/bin/sha256sum", [path]).text.prefix(64)
        #expect("sha256:" + compressedSum == encoded.layer.digest.description)
        try writeFile(tmp.path + "/plain", data)
        let plainSum = try run("/usr/bin/sha256sum", [tmp.path + "/plain"]).text.prefix(64)
        #expect("sha256:" + plainSum == encoded.layer.diffID.description)
    }

    @Test(arguments: ["gzip -6", "gzip -1", "zstd -3", "zstd -19", "zstd --no-check"])
    func commandLineOutputIsReadByHoist(command: String) throws {
        let tmp = try TempDirectory()
        let data = Self.sampleData()
        try writeFile(tmp.path + "/plain", data)
        let parts = command.split(separator: " ").map(String.init)
        try sh("/usr/bin/\(parts[0]) \(parts[1]) -c '\(tmp.path)/plain' > '\(tmp.path)/blob'")
        var source = try DecompressingSource(try FileByteSource(path: tmp.path + "/blob"))
        #expect(source.compression.rawValue == parts[0])
        #expect(try source.readAll() == data)
    }

    @Test func multiMemberGzipAndMultiFrameZstdDecompressFully() throws {
        let tmp = try TempDirectory()
        let first = Array(Self.sampleData(300_000))
        let second = Array("and a second member".utf8)
        try writeFile(tmp.path + "/one", first)
        try writeFile(tmp.path + "/two", second)
        try sh("cd '\(tmp.path)' && gzip -c one > multi.gz && gzip -c two >> multi.gz && zstd -q -c one > multi.zst && zstd -q -c two >> multi.zst")
        for name in ["multi.gz", "multi.zst"] {
            var source = try DecompressingSource(try FileByteSource(path: tmp.path + "/" + name))
            #expect(try source.readAll() == first + second, "\(name)")
        }
    }

    @Test func trailingZerosAfterGzipAreIgnoredButGarbageIsNot() throws {
        let encoded = try Self.compress(Array("payload".utf8), .gzip)
        #expect(try Self.decompress(encoded.bytes + [UInt8](repeating: 0, count: 1000)) == Array("payload".utf8))
        let error = #expect(throws: ArchiveError.self) { _ = try Self.decompress(encoded.bytes + Array("junk".utf8)) }
        #expect(error?.code == .dataLoss)
    }

    @Test(arguments: [Compression.gzip, .zstd])
    func truncatedOrCorruptStreamsAreDataLoss(compression: Compression) throws {
        let encoded = try Self.compress(Self.sampleData(500_000), compression)
        let truncated = #expect(throws: ArchiveError.self) { _ = try Self.decompress(Array(encoded.bytes[..<(encoded.bytes.count / 2)])) }
        #expect(truncated?.code == .dataLoss)
        let cutTrailer = #expect(throws: ArchiveError.self) { _ = try Self.decompress(Array(encoded.bytes.dropLast(3))) }
        #expect(cutTrailer?.code == .dataLoss)
        var corrupt = encoded.bytes
        for index in stride(from: 100, to: corrupt.count - 100, by: 997) { corrupt[index] ^= 0x55 }
        let corrupted = #expect(throws: ArchiveError.self) { _ = try Self.decompress(corrupt) }
        #expect(corrupted?.code == .dataLoss)
    }

    @Test(arguments: [("BZh91AY&SY", "bzip2"), ("\u{FD}7zXZ\u{0}", "xz")])
    func bzip2AndXzAreRecognisedAndRefused(magic: String, name: String) throws {
        var bytes: [UInt8] = magic == "BZh91AY&SY" ? Array(magic.utf8) : [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
        bytes += [UInt8](repeating: 1, count: 100)
        let error = #expect(throws: ArchiveError.self) { _ = try DecompressingSource(MemoryByteSource(bytes)) }
        #expect(error?.code == .unsupported)
        #expect(error?.description.contains(name) == true)
    }

    @Test func shortAndEmptyUncompressedStreamsPassThrough() throws {
        #expect(try Self.decompress([]) == [])
        #expect(try Self.decompress([1, 2, 3]) == [1, 2, 3])
    }

    @Test func invalidLevelIsInvalidArgument() throws {
        let error = #expect(throws: ArchiveError.self) { _ = try CompressingSink(MemoryByteSink(), .gzip(level: 42)) }
        #expect(error?.code == .invalidArgument)
    }
}

extension EncodedLayer {
    struct WithBytes {
        var layer: EncodedLayer
        var bytes: [UInt8]
    }
}
