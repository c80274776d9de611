import Foundation
import NIOCore

/// A byte range of a file as an async sequence of buffers, for streaming request bodies without
/// holding the file in memory. `onRead` hears the running count of bytes handed out.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let offset: Int64
    let length: Int64
    var chunkSize = 1 << 20
    let onRead: @Sendable (Int64) -> Void

    func makeAsyncIterator() -> Iterator {
        Iterator(chunks: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        let chunks: FileChunks
        var handle: FileHandle?
        var sent: Int64 = 0

        init(chunks: FileChunks) { self.chunks = chunks }

        mutating func next() async throws -> ByteBuffer? {
            guard sent < chunks.length else {
                try handle?.close()
                handle = nil
                return nil
            }
            if handle == nil {
                let opened = try FileHandle(forReadingFrom: URL(fileURLWithPath: chunks.path))
                try opened.seek(toOffset: UInt64(chunks.offset))
                handle = opened
            }
            let wanted = Int(Swift.min(Int64(chunks.chunkSize), chunks.length - sent))
            guard let data = try handle?.read(upToCount: wanted), !data.isEmpty else {
                throw RegistryError(.dataLoss, "\(chunks.path) ended \(chunks.length - sent) bytes early")
            }
            sent += Int64(data.count)
            chunks.onRead(sent)
            return ByteBuffer(bytes: data)
        }
    }
}
