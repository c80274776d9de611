import HoistOCI
import Testing

@testable import HoistArchive

/// Hostile bytes must give ``ArchiveError``s, never a crash or a hang.
@Suite struct TarFuzzTests {
    static func sample() throws -> [UInt8] {
        try makeTar([
            dir("d"), file("d/a", "contents"), (TarHeader(name: String(repeating: "n", count: 200), size: 3, modificationTime: .init(seconds: 5, nanoseconds: 7), xattrs: ["user.x": [1, 2]]), [1, 2, 3]),
            symlink("d/l", to: "a"), hardlink("d/h", to: "d/a"),
        ])
    }

    /// Reads every entry, returning how it ended.
    static func consume(_ bytes: [UInt8]) -> String {
        do {
            _ = try readTar(bytes)
            return "ok"
        } catch let error as ArchiveError {
            return "\(error.code)"
        } catch {
            return "foreign error \(error)"
        }
    }

    @Test(arguments: 0..<8)
    func mutatedArchivesFailCleanly(seed: Int) throws {
        let original = try Self.sample()
        var generator = SeededGenerator(seed: UInt64(seed) &+ 1000)
        for _ in 0..<250 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes = Array(bytes[..<Int.random(in: 0...bytes.count, using: &generator)]) }
            let outcome = Self.consume(bytes)
            #expect(!outcome.hasPrefix("foreign"), "\(outcome)")
        }
    }

    @Test func mutatedHeadersWithValidChecksumsFailCleanly() throws {
        // Mutations that keep the checksum valid reach the field parsers and PAX decoding.
        let original = try Self.sample()
        var generator = SeededGenerator(seed: 77)
        for _ in 0..<2000 {
            var bytes = original
            let block = 512 * Int.random(in: 0..<(bytes.count / 512 - 2), using: &generator)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[block + Int.random(in: 0..<512, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            bytes.replaceSubrange((block + 148)..<(block + 156), with: [UInt8](repeating: 0x20, count: 8))
            let sum = bytes[block..<(block + 512)].reduce(0) { $0 + Int($1) }
            let octal = Array(String(sum, radix: 8).utf8)
            bytes.replaceSubrange((block + 148)..<(block + 148 + octal.count), with: octal)
            bytes[block + 148 + octal.count] = 0
            let outcome = Self.consume(bytes)
            #expect(!outcome.hasPrefix("foreign"), "\(outcome)")
        }
    }

    @Test(arguments: 0..<4)
    func randomBytesFailCleanly(seed: Int) {
        for length in [1, 100, 511, 512, 513, 4096] {
            let outcome = Self.consume(randomBytes(length, seed: UInt64(seed * 31 + length)))
            #expect(outcome == "dataLoss" || outcome == "invalidArgument", "\(length) random bytes: \(outcome)")
        }
    }
}
