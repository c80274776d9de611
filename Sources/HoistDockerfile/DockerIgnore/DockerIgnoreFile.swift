import Foundation

/// Reading `.dockerignore` files and finding the one that applies to a build.
public enum DockerIgnoreFile {
    /// The patterns of a `.dockerignore` text: a UTF-8 BOM is dropped, a line starting with
    /// `#` in column 0 is a comment, lines are trimmed and empty ones dropped, each pattern is
    /// path-cleaned with one leading `/` removed, and `!` is kept in front.
    public static func patterns(from text: String) -> [String] {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = body.dropFirst() }
        var patterns: [String] = []
        for rawLine in body.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(String.UnicodeScalarView(rawLine))
            if line.unicodeScalars.last == "\r" { line.unicodeScalars.removeLast() }
            if line.hasPrefix("#") { continue }
            var pattern = line.trimmingUnicodeSpace()
            if pattern.isEmpty { continue }
            let isException = pattern.hasPrefix("!")
            if isException { pattern = String(pattern.dropFirst()).trimmingUnicodeSpace() }
            if !pattern.isEmpty {
                pattern = cleanPath(pattern)
                if pattern.count > 1, pattern.hasPrefix("/") { pattern.removeFirst() }
            }
            patterns.append((isException ? "!" : "") + pattern)
        }
        return patterns
    }

    /// The ignore file for a build: `<Dockerfile name>.dockerignore` beside the Dockerfile
    /// when it exists, otherwise `.dockerignore` at the context root; nil when neither exists.
    /// - Parameters:
    ///   - dockerfile: the Dockerfile's path.
    ///   - context: the build context directory.
    public static func locate(dockerfile: String, context: String) -> String? {
        let besideDockerfile = dockerfile + ".dockerignore"
        if FileManager.default.fileExists(atPath: besideDockerfile) { return besideDockerfile }
        let atRoot = URL(fileURLWithPath: context).appendingPathComponent(".dockerignore").path
        return FileManager.default.fileExists(atPath: atRoot) ? atRoot : nil
    }

    /// Reads and compiles the ignore file for a build; no file gives an empty matcher.
    /// - Throws: file-system errors, or ``DockerIgnoreError`` for a bad pattern.
    public static func matcher(dockerfile: String, context: String) throws -> DockerIgnoreMatcher {
        guard let path = locate(dockerfile: dockerfile, context: context) else {
            return try DockerIgnoreMatcher(patterns: [])
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try DockerIgnoreMatcher(patterns: patterns(from: String(decoding: data, as: UTF8.self)))
    }
}
