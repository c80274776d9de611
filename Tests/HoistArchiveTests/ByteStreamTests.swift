import HoistOCI
import Testing

@testable import HoistArchive

@Suite struct ByteStreamTests {
    @Test func memorySourceServesBytesInChunksThenEnds() throws {
        var source = MemoryByteSource(Array(0..<100))
        var chunk = [UInt8](repeating: 0, count: 30)
        var collected: [UInt8] = []
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            #expect(n <= 30)
            collected += chunk[..<n]
        }
        #expect(collected == Array(0..<100))
    }

    @Test func fileSinkAndSourceRoundTripLargeAndSmallWrites() throws {
        let tmp = try TempDirectory()
        let path = tmp.path + "/data"
        let big = randomBytes(3 << 20, seed: 7)
        var sink = try FileByteSink(path: path, syncOnClose: true)
        try sink.write(Array(big[..<10]))
        try sink.write(Array(big[10..<(2 << 20)]))
        try sink.write(Array(big[(2 << 20)...]))
        try sink.close()
        #expect(try readFile(path) == big)
    }

    @Test func openingAMissingFileIsNotFound() throws {
        let error = #expect(throws: ArchiveError.self) { try FileByteSource(path: "/nonexistent/hoist/file") }
        #expect(error?.code == .notFound)
        #expect(error?.path == "/nonexistent/hoist/file")
    }

    @Test func digestingWrappersHashAndCountWhatPasses() throws {
        let data = randomBytes(200_000, seed: 3)
        var source = DigestingSource(MemoryByteSource(data))
        var sink = DigestingSink(MemoryByteSink())
        let copied = try source.copy(to: &sink, bufferSize: 4096)
        try sink.close()
        #expect(copied == 200_000)
        #expect(source.digest == Digest(of: data))
        #expect(sink.digest == Digest(of: data))
        #expect(source.count == 200_000 && sink.count == 200_000)
        #expect(sink.inner.bytes == data)
        #expect(sink.inner.isClosed)
    }
}
