package import Foundation

/// A log file appended to from one stream's handler.
package final class LogFile: Sendable {
    private let handle: FileHandle

    package init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ClientError(.unavailable, "cannot open \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    package func append(_ data: Data) { handle.write(data) }
}
