import Foundation
import Testing

@testable import HoistArchive

/// Sizes an attacker controls must never overflow arithmetic: a tar entry claiming 2^63-1
/// bytes is read as a truncated archive, not a crash (a Swift trap, SIGILL).
@Suite struct TarSizeOverflowTests {
    /// A 512-byte ustar header with a valid checksum.
    static func header(name: String, typeflag: UInt8, size: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(String(format: "%011o", size), at: 124)
        put("00000000000", at: 136)
        block[156] = typeflag
        put("ustar", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum) + "\0 ", at: 148)
        return block
    }

    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512)
    }

    /// A PAX header giving `name` the size `size` (any decimal text), then its entry.
    static func archive(paxSize size: String) -> [UInt8] {
        let body = " size=\(size)\n"
        var length = body.utf8.count + 2
        if String(length).count + body.utf8.count != length { length += 1 }
        let record = Array("\(length)\(body)".utf8)
        return header(name: "PaxHeaders/f", typeflag: UInt8(ascii: "x"), size: record.count) + padded(record)
            + header(name: "f", typeflag: UInt8(ascii: "0"), size: 0) + [UInt8](repeating: 0, count: 1024)
    }

    @Test func anEntryOfInt64MaxBytesIsATruncatedArchive() throws {
        var reader = TarReader(MemoryByteSource(Self.archive(paxSize: String(Int64.max))))
        let first = try reader.next()
        #expect(first?.size == Int64.max)
        let error = #expect(throws: ArchiveError.self) { _ = try reader.next() }
        #expect(error?.code == .dataLoss)
    }

    @Test(arguments: ["9223372036854775808", "-1", "99999999999999999999999", "1e3"])
    func sizesBeyondInt64AreRefused(size: String) throws {
        var reader = TarReader(MemoryByteSource(Self.archive(paxSize: size)))
        let error = #expect(throws: ArchiveError.self) { _ = try reader.next() }
        #expect(error?.code == .invalidArgument)
    }

    @Test func applyingSuchALayerFailsCleanly() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let error = #expect(throws: ArchiveError.self) {
            _ = try LayerApplier(root: root).apply(MemoryByteSource(Self.archive(paxSize: String(Int64.max))))
        }
        #expect(error?.code == .dataLoss)
    }
}
