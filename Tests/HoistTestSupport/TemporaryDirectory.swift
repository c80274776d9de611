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
        Self.detachMounts(under: url.path)
        try? FileManager.default.removeItem(at: url)
    }

    /// Detaches what is mounted under `path`, deepest first: a kept container's root
    /// filesystem, say, which a test that ends without removing its container leaves mounted
    /// (and the directory then cannot go). Without the right to unmount, nothing happens.
    static func detachMounts(under path: String) {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        let points = table.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            // mountinfo escapes a space in a path as \040.
            let point = fields[4].replacingOccurrences(of: "\\040", with: " ")
            return point.hasPrefix(prefix) ? point : nil
        }
        for point in points.sorted(by: { $0.count > $1.count }) { umount2(point, Int32(MNT_DETACH)) }
    }
}
