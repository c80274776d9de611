import Foundation

/// Locates the shared conformance data in place: `../shared/conformance/…` beside the package.
enum ConformanceData {
    /// The package root, derived from this file's path (Tests/HoistDockerfileTests/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let root: URL = packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/conformance")

    static var buildkit: URL { root.appendingPathComponent("buildkit") }
    static var patternmatcher: URL { root.appendingPathComponent("patternmatcher") }

    static func read(_ url: URL) -> String {
        // A missing data file is a test failure, surfaced by an empty string and a recorded issue.
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }

    static func directories(in url: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }
}
