public import Foundation

/// A fresh directory under the system's temporary directory, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The URL of `relative` inside the directory.
    public func appending(_ relative: String) -> URL {
        url.appendingPathComponent(relative)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
