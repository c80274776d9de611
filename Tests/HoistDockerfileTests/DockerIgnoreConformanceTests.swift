import Foundation
import HoistDockerfile
import Testing

/// One record of the patternmatcher `.jsonl` vector files.
struct IgnoreVector: Decodable, Sendable, CustomTestStringConvertible {
    var patterns: [String]
    var path: String
    var match: Bool
    var error: Bool
    var line = 0

    enum CodingKeys: String, CodingKey { case patterns, path, match, error }

    var testDescription: String { "#\(line) \(patterns) \(path)" }

    static func load(_ name: String) -> [IgnoreVector] {
        let text = ConformanceData.read(ConformanceData.patternmatcher.appendingPathComponent(name))
        return text.split(separator: "\n").enumerated().compactMap { offset, line in
            guard var vector = try? JSONDecoder().decode(IgnoreVector.self, from: Data(line.utf8)) else { return nil }
            vector.line = offset + 1
            return vector
        }
    }

    /// Runs the vector: nil when the matcher or the match call failed.
    func evaluate(deprecatedForm: Bool) -> Bool? {
        guard let matcher = try? DockerIgnoreMatcher(patterns: patterns) else { return nil }
        return deprecatedForm ? try? matcher.matches(path) : try? matcher.matchesOrParentMatches(path)
    }

    func passes(deprecatedForm: Bool) -> Bool {
        let result = evaluate(deprecatedForm: deprecatedForm)
        return error ? result == nil : result == match
    }
}

/// moby/patternmatcher's vectors, read in place from ../shared/conformance/patternmatcher.
@Suite struct DockerIgnoreConformanceTests {
    static let parentVectors = IgnoreVector.load("matches-or-parent-matches.jsonl")
    static let deprecatedVectors = IgnoreVector.load("matches-deprecated.jsonl")

    @Test func dataIsPresent() {
        #expect(Self.parentVectors.count == 73)
        #expect(Self.deprecatedVectors.count == 65)
    }

    @Test(arguments: parentVectors)
    func matchesOrParentMatches(_ vector: IgnoreVector) {
        let result = vector.evaluate(deprecatedForm: false)
        #expect(
            vector.passes(deprecatedForm: false),
            "\(vector.patterns) vs \(vector.path): expected \(vector.error ? "error" : "\(vector.match)"), got \(result.map { "\($0)" } ?? "error")"
        )
    }

    @Test(arguments: deprecatedVectors)
    func matches(_ vector: IgnoreVector) {
        let result = vector.evaluate(deprecatedForm: true)
        #expect(
            vector.passes(deprecatedForm: true),
            "\(vector.patterns) vs \(vector.path): expected \(vector.error ? "error" : "\(vector.match)"), got \(result.map { "\($0)" } ?? "error")"
        )
    }

    @Test func readAll() throws {
        struct Case: Decodable {
            var input: String
            var expected: [String]
        }
        let data = Data(
            ConformanceData.read(ConformanceData.patternmatcher.appendingPathComponent("ignorefile-readall.json")).utf8)
        let vector = try JSONDecoder().decode(Case.self, from: data)
        #expect(DockerIgnoreFile.patterns(from: vector.input) == vector.expected)
        #expect(DockerIgnoreFile.patterns(from: "\u{FEFF}# c\n  #2\r\n./a//b/../c\n") == ["#2", "a/c"])
    }

    @Test func construction() throws {
        struct Case: Decodable {
            var patterns: [String]
            var cleanedCount: Int?
            var hasExclusions: Bool?
            var error: Bool?
            enum CodingKeys: String, CodingKey {
                case patterns, error
                case cleanedCount = "cleaned_count"
                case hasExclusions = "has_exclusions"
            }
        }
        struct File: Decodable { var cases: [Case] }
        let data = Data(
            ConformanceData.read(ConformanceData.patternmatcher.appendingPathComponent("new-patterns.json")).utf8)
        let file = try JSONDecoder().decode(File.self, from: data)
        #expect(file.cases.count == 6)
        for item in file.cases {
            let matcher = try? DockerIgnoreMatcher(patterns: item.patterns)
            if item.error == true {
                #expect(matcher == nil, "\(item.patterns) must be rejected")
                continue
            }
            let built = try #require(matcher, "\(item.patterns) must compile")
            if let count = item.cleanedCount { #expect(built.patterns.count == count, "\(item.patterns)") }
            if let exclusions = item.hasExclusions { #expect(built.hasExceptions == exclusions, "\(item.patterns)") }
        }
    }

    @Test func summary() {
        let parentPassed = Self.parentVectors.filter { $0.passes(deprecatedForm: false) }.count
        let deprecatedPassed = Self.deprecatedVectors.filter { $0.passes(deprecatedForm: true) }.count
        #expect(parentPassed == Self.parentVectors.count && deprecatedPassed == Self.deprecatedVectors.count)
        print(
            "patternmatcher vectors: matches-or-parent-matches \(parentPassed)/\(Self.parentVectors.count), "
                + "matches-deprecated \(deprecatedPassed)/\(Self.deprecatedVectors.count)"
                + (parentPassed + deprecatedPassed == Self.parentVectors.count + Self.deprecatedVectors.count
                    ? ", all passed" : ""))
    }
}

/// Finding and reading the ignore file of a build.
@Suite struct DockerIgnoreFileTests {
    @Test func namedDockerfileIgnoreWins() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-ignore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("build"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let dockerfile = root.appendingPathComponent("build/app.Dockerfile").path
        #expect(DockerIgnoreFile.locate(dockerfile: dockerfile, context: root.path) == nil)
        #expect(try DockerIgnoreFile.matcher(dockerfile: dockerfile, context: root.path).patterns.isEmpty)
        try "*.log\n!keep.log\n".write(
            to: root.appendingPathComponent(".dockerignore"), atomically: true, encoding: .utf8)
        #expect(
            DockerIgnoreFile.locate(dockerfile: dockerfile, context: root.path)
                == root.appendingPathComponent(".dockerignore").path)
        try "/secret\n".write(toFile: dockerfile + ".dockerignore", atomically: true, encoding: .utf8)
        #expect(DockerIgnoreFile.locate(dockerfile: dockerfile, context: root.path) == dockerfile + ".dockerignore")
        let matcher = try DockerIgnoreFile.matcher(dockerfile: dockerfile, context: root.path)
        #expect(try matcher.matches("secret/key") && !(try matcher.matches("a.log")))
    }

    @Test func exceptionsAndOrder() throws {
        let matcher = try DockerIgnoreMatcher(
            patterns: DockerIgnoreFile.patterns(from: "**/*.md\n!docs/**\ndocs/private\n# c\n"))
        #expect(try matcher.matches("README.md"))
        #expect(try matcher.matches("a/b/NOTES.md"))
        #expect(!(try matcher.matches("docs/guide.md")))
        #expect(try matcher.matches("docs/private/x.txt"))
        #expect(!(try matcher.matches(".")))
        #expect(matcher.hasExceptions)
    }
}
