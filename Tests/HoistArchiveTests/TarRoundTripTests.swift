import HoistOCI
import Testing

@testable import HoistArchive

@Suite struct TarRoundTripTests {
    static let longName = (0..<30).map { "directory\($0)" }.joined(separator: "/").prefix(300).description
    static let cases: [(String, TarHeader, [UInt8])] = [
        ("plain file", TarHeader(name: "a.txt", size: 5, modificationTime: .init(seconds: 1_700_000_000), userName: "root", groupName: "root"), Array("hello".utf8)),
        ("300-char name", TarHeader(name: longName, size: 3), Array("abc".utf8)),
        ("ustar prefix name", TarHeader(name: String(repeating: "p", count: 120) + "/" + String(repeating: "n", count: 90), size: 1), [1]),
        ("non-ASCII name", TarHeader(name: "répertoire/naïve-文件", size: 2), [1, 2]),
        ("long link name", TarHeader(name: "link", type: .symbolicLink, mode: 0o777, linkName: String(repeating: "t/", count: 150) + "target"), []),
        ("long hard link name", TarHeader(name: "hard", type: .hardLink, linkName: longName), []),
        ("big uid and gid", TarHeader(name: "owned", uid: 3_000_000_000, gid: 2_097_152, size: 0), []),
        ("sub-second mtime", TarHeader(name: "fine", modificationTime: .init(seconds: 1_700_000_000, nanoseconds: 123_456_789)), []),
        ("pre-epoch mtime", TarHeader(name: "old", modificationTime: .init(seconds: -100, nanoseconds: 500_000_000)), []),
        ("long user and group names", TarHeader(name: "names", userName: String(repeating: "u", count: 40), groupName: "gröup"), []),
        ("xattrs", TarHeader(name: "x", size: 1, xattrs: ["user.a": Array("1".utf8), "security.capability": [1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "user.empty": []]), [9]),
        ("directory", TarHeader(name: "some/dir", type: .directory, mode: 0o1777), []),
        ("setuid file", TarHeader(name: "suid", mode: 0o4755, size: 2), [0, 0]),
        ("symlink", TarHeader(name: "sl", type: .symbolicLink, mode: 0o777, linkName: "../x"), []),
        ("char device", TarHeader(name: "dev/null", type: .characterDevice, mode: 0o666, deviceMajor: 1, deviceMinor: 3), []),
        ("block device", TarHeader(name: "dev/sda", type: .blockDevice, mode: 0o660, deviceMajor: 8, deviceMinor: 0), []),
        ("fifo", TarHeader(name: "pipe", type: .fifo, mode: 0o600), []),
        ("block-sized file", TarHeader(name: "block", size: 1024), randomBytes(1024, seed: 1)),
        ("large file", TarHeader(name: "large", size: 3_000_001), randomBytes(3_000_001, seed: 2)),
    ]

    @Test(arguments: cases.map { $0.0 })
    func writtenEntryReadsBackIdentically(caseName: String) throws {
        let (_, header, contents) = Self.cases.first { $0.0 == caseName }!
        let archive = try makeTar([(header, contents), file("after", "trailer")])
        #expect(archive.count % 512 == 0)
        let entries = try readTar(archive)
        try #require(entries.count == 2, "entries: \(entries.map(\.0.name))")
        #expect(entries[0].0 == header, "wrote \(header)\nread  \(entries[0].0)")
        #expect(entries[0].1 == contents)
        #expect(entries[1].0.name == "after" && entries[1].1 == Array("trailer".utf8))
    }

    @Test func identicalInputGivesIdenticalBytes() throws {
        let entries = Self.cases.map { ($0.1, $0.2) }
        #expect(try makeTar(entries) == makeTar(entries))
    }

    @Test func unreadContentsAreSkippedAndPartialReadsWork() throws {
        let big = randomBytes(100_000, seed: 5)
        let archive = try makeTar([(TarHeader(name: "big", size: 100_000), big), file("small", "x"), (TarHeader(name: "third", size: 100_000), big)])
        var reader = TarReader(MemoryByteSource(archive))
        #expect(try reader.next()?.name == "big")
        var first = [UInt8](repeating: 0, count: 1000)
        let n = try first.withUnsafeMutableBytes { try reader.readFully(into: $0) }
        #expect(n == 1000 && first == Array(big[..<1000]))
        #expect(try reader.next()?.name == "small")
        let third = try reader.next()
        #expect(third?.name == "third")
        #expect(try reader.readContents() == big)
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }

    @Test func sizeBeyondOctalLimitUsesPaxAndReadsBack() throws {
        // 8 GiB + 1 of zeros streamed through; only the first blocks are kept for reading back.
        let size: Int64 = (8 << 30) + 1
        var writer = TarWriter(PrefixSink(limit: 8192))
        var zeros = ZeroSource(count: size)
        try writer.writeEntry(TarHeader(name: "huge", size: size), contents: &zeros)
        try writer.finish()
        #expect(writer.sink.total == 1536 + size + 511 + 1024)
        var reader = TarReader(MemoryByteSource(writer.sink.kept))
        let header = try reader.next()
        #expect(header?.size == size)
        let error = #expect(throws: ArchiveError.self) { _ = try reader.next() }
        #expect(error?.code == .dataLoss)
        #expect(error?.path == "huge")
    }

    @Test func contentsShorterOrLongerThanDeclaredAreRefused() throws {
        var writer = TarWriter(MemoryByteSink())
        var short = MemoryByteSource([1, 2])
        let shortError = #expect(throws: ArchiveError.self) { try writer.writeEntry(TarHeader(name: "s", size: 5), contents: &short) }
        #expect(shortError?.code == .dataLoss)
        var writer2 = TarWriter(MemoryByteSink())
        var long = MemoryByteSource([1, 2, 3])
        let longError = #expect(throws: ArchiveError.self) { try writer2.writeEntry(TarHeader(name: "l", size: 2), contents: &long) }
        #expect(longError?.code == .invalidArgument)
    }

    @Test(arguments: ["mid-header", "mid-data", "mid-pax"])
    func truncatedArchiveIsDataLossNamingTheEntry(cut: String) throws {
        let archive = try makeTar([file("first", String(repeating: "a", count: 2000)), (TarHeader(name: "second", size: 1000, xattrs: ["user.k": [1]]), randomBytes(1000, seed: 9))])
        let length: Int
        switch cut {
        case "mid-header": length = 512 + 2048 + 300
        case "mid-data": length = 1000
        default: length = 512 + 2048 + 512 + 100
        }
        let error = #expect(throws: ArchiveError.self) { _ = try readTar(Array(archive[..<length])) }
        #expect(error?.code == .dataLoss, "\(String(describing: error))")
        #expect(error?.path != nil, "\(String(describing: error))")
    }

    @Test func badChecksumIsInvalidArgument() throws {
        var archive = try makeTar([file("victim", "data")])
        archive[10] ^= 0x01
        let error = #expect(throws: ArchiveError.self) { _ = try readTar(archive) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.description.contains("checksum") == true, "\(String(describing: error))")
    }

    @Test func base256NumbersAreRead() throws {
        var archive = try makeTar([(TarHeader(name: "b256", uid: 1), [])])
        // uid field (offset 108, 8 bytes) as base-256: 0x80 then big-endian 3_000_000.
        let uid: [UInt8] = [0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0]
        archive.replaceSubrange(108..<116, with: uid)
        archive.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        let sum = archive[..<512].reduce(0) { $0 + Int($1) }
        let octal = Array(String(sum, radix: 8).utf8)
        archive.replaceSubrange(148..<(148 + octal.count + 1), with: octal + [0])
        #expect(try readTar(archive).first?.0.uid == 3_000_000)
    }

    @Test func emptyStreamIsAnEmptyArchive() throws {
        #expect(try readTar([]).isEmpty)
        #expect(try readTar([UInt8](repeating: 0, count: 1024)).isEmpty)
    }
}

/// Keeps the first `limit` bytes written and counts the rest.
struct PrefixSink: ByteSink {
    let limit: Int
    var kept: [UInt8] = []
    var total: Int64 = 0
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        total += Int64(bytes.count)
        if kept.count < limit { kept += bytes.prefix(limit - kept.count) }
    }
    mutating func close() throws {}
}

/// `count` zero bytes.
struct ZeroSource: ByteSource {
    var count: Int64
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Int(min(Int64(buffer.count), count))
        buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: n)
        count -= Int64(n)
        return n
    }
}
