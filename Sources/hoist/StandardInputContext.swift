import ArgumentParser
import Foundation
import HoistArchive

/// `docker build -` and `docker build -f - DIR`: the context, or the Dockerfile, read from
/// standard input. A context on stdin is a tar archive (plain, gzip or zstd), unpacked inside a
/// scratch directory as a layer is (no entry escapes it); anything else is a Dockerfile with an
/// empty context, as Docker reads it.
struct StandardInputContext {
    /// The context directory and the Dockerfile to build with.
    let context: URL
    let dockerfile: URL?
    /// What was made for them, removed by ``remove()``.
    private let scratch: URL?

    init(context: String, file: String?, input: FileHandle = .standardInput) throws {
        guard context == "-" || file == "-" else {
            self.context = URL(fileURLWithPath: context)
            dockerfile = file.map { URL(fileURLWithPath: $0) }
            scratch = nil
            return
        }
        guard !(context == "-" && file == "-") else {
            throw ValidationError("the context and the Dockerfile cannot both come from standard input")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-stdin-\(UUID().uuidString)", isDirectory: true)
        let directory = scratch.appendingPathComponent("context", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            // Streamed to a file first: a context archive need not fit in memory.
            let received = scratch.appendingPathComponent("stdin")
            try Self.copy(input, to: received)
            if file == "-" {
                self.context = URL(fileURLWithPath: context)
                dockerfile = received
            } else if Self.isArchive(try Self.head(of: received)) {
                _ = try LayerApplier(root: directory.path).apply(try FileByteSource(path: received.path))
                try FileManager.default.removeItem(at: received)
                self.context = directory
                dockerfile = file.map { directory.appendingPathComponent($0) }
            } else {
                self.context = directory
                dockerfile = received
            }
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
        self.scratch = scratch
    }

    private static func copy(_ input: FileHandle, to file: URL) throws {
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        let output = try FileHandle(forWritingTo: file)
        defer { try? output.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
    }

    /// The first 512 bytes of `file`: enough for the magic numbers ``isArchive(_:)`` reads.
    private static func head(of file: URL) throws -> Data {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        return try handle.read(upToCount: 512) ?? Data()
    }

    func remove() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// gzip or zstd magic, or a tar header's `ustar` magic at offset 257.
    static func isArchive(_ bytes: Data) -> Bool {
        let prefix = [UInt8](bytes.prefix(4))
        if prefix.starts(with: [0x1F, 0x8B]) || prefix == [0x28, 0xB5, 0x2F, 0xFD] { return true }
        return bytes.count >= 262 && bytes[bytes.startIndex + 257..<bytes.startIndex + 262].elementsEqual("ustar".utf8)
    }
}
