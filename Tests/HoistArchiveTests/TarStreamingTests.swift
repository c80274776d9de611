import HoistOCI
import Testing

@testable import HoistArchive

/// The reader and writer used together as streams, as the store and exporters use them.
@Suite struct TarStreamingTests {
    @Test func readerEntriesCopiedIntoAWriterGiveTheSameArchive() throws {
        let original = try makeTar([
            dir("d"), (TarHeader(name: "d/big", size: 2_000_000, modificationTime: .init(seconds: 9, nanoseconds: 1)), randomBytes(2_000_000, seed: 4)),
            symlink("d/s", to: "big"), hardlink("d/h", to: "d/big"), file(String(repeating: "n/", count: 80) + "end", "deep"),
        ])
        var reader = TarReader(MemoryByteSource(original))
        var writer = TarWriter(MemoryByteSink())
        while let header = try reader.next() {
            // The reader is a ByteSource over the current entry's contents.
            try writer.writeEntry(header, contents: &reader)
        }
        try writer.finish()
        #expect(writer.sink.bytes == original)
    }

    @Test(arguments: [Compression.gzip, .zstd, .none])
    func writingATarThroughALayerEncoderGivesBothDigestsInOnePass(compression: Compression) throws {
        let tmp = try TempDirectory()
        let blobPath = tmp.path + "/blob"
        var writer = TarWriter(try LayerEncoder(FileByteSink(path: blobPath), compression: compression))
        try writer.writeEntry(file("hello", "world").0, bytes: Array("world".utf8))
        try writer.writeEntry(TarHeader(name: "data", size: 300_000), bytes: randomBytes(300_000, seed: 8))
        try writer.finish()
        try writer.sink.close()
        let layer = writer.sink.result

        let blob = try readFile(blobPath)
        #expect(layer.digest == Digest(of: blob))
        #expect(layer.size == Int64(blob.count))
        var decompressed = try DecompressingSource(MemoryByteSource(blob))
        let tar = try decompressed.readAll()
        #expect(layer.diffID == Digest(of: tar))
        #expect(layer.uncompressedSize == Int64(tar.count))
        #expect(try readTar(tar).map(\.0.name) == ["hello", "data"])
        if compression == .none { #expect(layer.digest == layer.diffID) }
    }

    @Test func writerRefusesBadInput() throws {
        var writer = TarWriter(MemoryByteSink())
        let nul = #expect(throws: ArchiveError.self) { try writer.writeEntry(TarHeader(name: "a\u{0}b")) }
        #expect(nul?.code == .invalidArgument)
        let noContents = #expect(throws: ArchiveError.self) { try writer.writeEntry(TarHeader(name: "f", size: 3)) }
        #expect(noContents?.code == .invalidArgument)
        let device = #expect(throws: ArchiveError.self) {
            try writer.writeEntry(TarHeader(name: "dev", type: .characterDevice, deviceMajor: 1 << 22))
        }
        #expect(device?.code == .invalidArgument)
        try writer.finish()
        let late = #expect(throws: ArchiveError.self) { try writer.writeEntry(TarHeader(name: "late")) }
        #expect(late?.code == .failedPrecondition)
    }

    @Test func unknownEntryTypesAreUnsupportedNamingTheEntry() throws {
        var archive = try makeTar([file("sparse", "x")])
        archive[156] = UInt8(ascii: "S")
        archive.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = archive[..<512].reduce(0) { $0 + Int($1) }
        let octal = Array(String(sum, radix: 8).utf8)
        archive.replaceSubrange(148..<(148 + octal.count + 1), with: octal + [0])
        let error = #expect(throws: ArchiveError.self) { _ = try readTar(archive) }
        #expect(error?.code == .unsupported)
        #expect(error?.path == "sparse")
    }
}
