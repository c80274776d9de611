import Foundation
import HoistDockerEngine
import Testing

@Suite("Multiplexed stream decoder")
struct MultiplexedStreamDecoderTests {
    private static func frame(_ stream: UInt8, _ text: String) -> Data {
        let payload = Data(text.utf8)
        let size = UInt32(payload.count)
        return Data([stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]) + payload
    }

    private static let frames: [(UInt8, String)] = [(1, "out one\n"), (2, "err\n"), (1, ""), (1, String(repeating: "x", count: 300)), (2, "last")]
    private static let stream = frames.reduce(Data()) { $0 + frame($1.0, $1.1) }

    private static func decoded(_ pieces: [Data]) throws -> [(EngineStream, String)] {
        var decoder = MultiplexedStreamDecoder()
        var result: [(EngineStream, String)] = []
        for piece in pieces {
            result += try decoder.feed(piece).map { ($0.stream, String(decoding: $0.payload, as: UTF8.self)) }
        }
        try decoder.finish()
        return result
    }

    @Test func framesSplitAtEveryByteBoundaryDecodeTheSame() throws {
        let expected = Self.frames.map { "\($0.0):\($0.1)" }
        for cut in 0...Self.stream.count {
            let pieces = [Self.stream.prefix(cut), Self.stream.dropFirst(cut)].map { Data($0) }
            #expect(try Self.decoded(pieces).map { "\($0.0.rawValue):\($0.1)" } == expected, "split at \(cut)")
        }
        // And byte by byte.
        let bytes = Self.stream.map { Data([$0]) }
        #expect(try Self.decoded(bytes).map { "\($0.0.rawValue):\($0.1)" } == expected)
    }

    @Test func truncatedAndUnknownStreamsAreErrors() throws {
        #expect(throws: EngineError.self) { try Self.decoded([Self.stream.dropLast()]) }
        #expect(throws: EngineError.self) { try Self.decoded([Self.frame(7, "x")]) }
    }
}
