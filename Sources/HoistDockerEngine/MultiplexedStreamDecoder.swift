public import Foundation

/// Which stream a piece of container output belongs to.
public enum EngineStream: UInt8, Sendable, Hashable {
    case standardInput = 0
    case standardOutput = 1
    case standardError = 2
}

/// Decodes the Engine's multiplexed output (logs, attach and exec of a container without a
/// TTY): frames of an 8-byte header — the stream, three zero bytes, the payload size as a
/// big-endian 32-bit number — and the payload. Bytes may arrive split anywhere; ``feed(_:)``
/// returns the payloads complete so far, in order.
public struct MultiplexedStreamDecoder: Sendable {
    private var buffer = Data()

    public init() {}

    /// Adds `bytes` and returns every frame they complete.
    public mutating func feed(_ bytes: Data) throws -> [(stream: EngineStream, payload: Data)] {
        buffer.append(bytes)
        var frames: [(EngineStream, Data)] = []
        var offset = buffer.startIndex
        while buffer.endIndex - offset >= 8 {
            let header = buffer[offset..<offset + 8]
            guard let stream = EngineStream(rawValue: header[header.startIndex]) else {
                throw EngineError(.dataLoss, "the output stream has a frame for unknown stream \(header[header.startIndex])")
            }
            let size = header.dropFirst(4).reduce(0) { $0 << 8 | Int($1) }
            guard buffer.endIndex - offset - 8 >= size else { break }
            frames.append((stream, Data(buffer[offset + 8..<offset + 8 + size])))
            offset += 8 + size
        }
        buffer = Data(buffer[offset...])
        return frames
    }

    /// Throws when the stream ended inside a frame.
    public func finish() throws {
        guard buffer.isEmpty else {
            throw EngineError(.dataLoss, "the output stream ended inside a frame (\(buffer.count) bytes left)")
        }
    }
}
