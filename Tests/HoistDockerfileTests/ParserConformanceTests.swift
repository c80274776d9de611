import Foundation
import HoistDockerfile
import Testing

/// BuildKit's parser test files, read in place from ../shared/conformance/buildkit/parser.
@Suite struct ParserConformanceTests {
    static let positiveRoot = ConformanceData.buildkit.appendingPathComponent("parser/testfiles")
    static let negativeRoot = ConformanceData.buildkit.appendingPathComponent("parser/testfiles-negative")
    static let positiveCases = ConformanceData.directories(in: positiveRoot)
    static let negativeCases = ConformanceData.directories(in: negativeRoot)

    @Test func dataIsPresent() {
        #expect(Self.positiveCases.count == 33, "positive cases found: \(Self.positiveCases)")
        #expect(Self.negativeCases.count == 4, "negative cases found: \(Self.negativeCases)")
    }

    @Test(arguments: positiveCases)
    func positive(_ name: String) throws {
        let directory = Self.positiveRoot.appendingPathComponent(name)
        let source = ConformanceData.read(directory.appendingPathComponent("Dockerfile"))
        let expected = ConformanceData.read(directory.appendingPathComponent("result"))
        let tree = try DockerfileParser.parse(source)
        let actual = tree.dump() + "\n"
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(
            actual == expected,
            """
            \(name): dump differs\(firstDifference.map { " at result line \($0.offset + 1):\n  expected \($0.element.0)\n  actual   \($0.element.1)" } ?? " in length (\(expectedLines.count) vs \(actualLines.count) lines)")
            """)
    }

    @Test(arguments: negativeCases)
    func negative(_ name: String) {
        let source = ConformanceData.read(
            Self.negativeRoot.appendingPathComponent(name).appendingPathComponent("Dockerfile"))
        #expect(throws: DockerfileError.self, "\(name) must not parse") {
            try DockerfileParser.parse(source)
        }
    }

    /// Printing each conformance file and parsing the text again gives the same dump.
    @Test(arguments: positiveCases)
    func printedFormReparses(_ name: String) throws {
        let source = ConformanceData.read(
            Self.positiveRoot.appendingPathComponent(name).appendingPathComponent("Dockerfile"))
        let tree = try DockerfileParser.parse(source)
        let printed = tree.formatted()
        let reparsed = try DockerfileParser.parse(printed)
        #expect(reparsed.dump() == tree.dump(), "\(name) printed as:\n\(printed)")
        #expect(reparsed.formatted() == printed)
    }

    @Test func lineNumbers() throws {
        let source = ConformanceData.read(
            ConformanceData.buildkit.appendingPathComponent("parser/testfile-line/Dockerfile"))
        let tree = try DockerfileParser.parse(source)
        #expect(tree.range.start.line == 5 && tree.range.end.line == 31, "tree spans \(tree.range)")
        let spans = tree.nodes.map { [$0.range.start.line, $0.range.end.line] }
        #expect(spans == [[5, 5], [11, 12], [17, 31]])
    }

    @Test func summary() throws {
        var passed = (positive: 0, negative: 0)
        for name in Self.positiveCases {
            let directory = Self.positiveRoot.appendingPathComponent(name)
            let tree = try? DockerfileParser.parse(ConformanceData.read(directory.appendingPathComponent("Dockerfile")))
            if let tree, tree.dump() + "\n" == ConformanceData.read(directory.appendingPathComponent("result")) {
                passed.positive += 1
            }
        }
        for name in Self.negativeCases {
            let path = Self.negativeRoot.appendingPathComponent(name).appendingPathComponent("Dockerfile")
            if (try? DockerfileParser.parse(ConformanceData.read(path))) == nil { passed.negative += 1 }
        }
        #expect(passed.positive == Self.positiveCases.count && passed.negative == Self.negativeCases.count)
        let verdict =
            passed.positive == Self.positiveCases.count && passed.negative == Self.negativeCases.count
            ? "all passed" : "FAILURES"
        print(
            "BuildKit parser cases: \(passed.positive)/\(Self.positiveCases.count) positive, "
                + "\(passed.negative)/\(Self.negativeCases.count) negative, \(verdict)")
    }
}
