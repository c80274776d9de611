import Foundation

/// Documentation examples that cannot rot: a test runs the example's code between the lines
/// `// README: begin` and `// README: end` of its own source (or another marker's), and checks
/// that README.md (or a DocC article) shows that very code (indentation removed), so the
/// documentation's Swift compiles and runs in CI.
public enum ReadmeExample {
    /// The code between the README markers in `file` (a test's `#filePath`), and whether
    /// README.md holds it, as consecutive lines of one of its Swift blocks.
    public static func check(_ file: String) throws -> (code: String, shown: Bool) {
        try check(file, marker: "README", document: "README.md")
    }

    /// The code between `// MARKER: begin` and `// MARKER: end` in `file`, and whether
    /// `document` (a path in the package) holds it in one of its Swift blocks.
    public static func check(_ file: String, marker: String, document: String) throws -> (code: String, shown: Bool) {
        let source = try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard let begin = lines.firstIndex(where: { $0.hasSuffix("// \(marker): begin") }),
            let end = lines.firstIndex(where: { $0.hasSuffix("// \(marker): end") }), begin < end
        else { throw ExampleError(description: "\(file) has no \(marker): begin/end markers") }
        let indent = lines[begin].prefix { $0 == " " }.count
        let code = lines[(begin + 1)..<end].map { $0.dropFirst(indent) }.joined(separator: "\n")
        let text = try String(contentsOf: Interop.packageRoot.appendingPathComponent(document), encoding: .utf8)
        let blocks = text.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        return (code, blocks.contains { $0.contains(code) })
    }

    struct ExampleError: Error, CustomStringConvertible {
        let description: String
    }
}
