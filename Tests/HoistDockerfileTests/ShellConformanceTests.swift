import Foundation
import HoistDockerfile
import Testing

/// One vector of BuildKit's `envVarTest` (`ProcessWord`) or `wordsTest` (`ProcessWords`).
struct ShellVector: CustomTestStringConvertible, Sendable {
    var line: Int
    var input: String
    /// nil when expansion must fail.
    var expected: [String]?
    var environment: [String: String]
    var testDescription: String { "line \(line): \(input)" }
}

/// BuildKit's shell-lexer vectors, read in place from ../shared/conformance/buildkit/shell.
@Suite struct ShellConformanceTests {
    static let wordEnvironment = ["PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""]

    /// `envVarTest`: `PLATFORM | INPUT | EXPECTED`, Unix and all-platform vectors only.
    static let wordVectors: [ShellVector] = {
        let text = ConformanceData.read(ConformanceData.buildkit.appendingPathComponent("shell/envVarTest"))
        var vectors: [ShellVector] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if rawLine.hasPrefix("#") { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 3, fields[0] == "A" || fields[0] == "U" else { continue }
            vectors.append(
                ShellVector(
                    line: offset + 1, input: fields[1], expected: fields[2] == "error" ? nil : [fields[2]],
                    environment: wordEnvironment))
        }
        return vectors
    }()

    /// `wordsTest`: `ENV name=value` lines accumulate; `INPUT | a,b,c` vectors.
    static let wordsVectors: [ShellVector] = {
        let text = ConformanceData.read(ConformanceData.buildkit.appendingPathComponent("shell/wordsTest"))
        var vectors: [ShellVector] = []
        var environment: [String: String] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("ENV ") {
                let definition = line.dropFirst(3).drop(while: { $0 == " " })
                let parts = definition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
                continue
            }
            let parts = line.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let expected = parts[1].drop(while: { $0 == " " }).split(separator: ",", omittingEmptySubsequences: false)
                .map(String.init)
            vectors.append(
                ShellVector(
                    line: offset + 1, input: parts[0].trimmingCharacters(in: .whitespaces),
                    expected: expected == ["error"] ? nil : expected, environment: environment))
        }
        return vectors
    }()

    @Test func dataIsPresent() {
        #expect(Self.wordVectors.count == 228, "envVarTest vectors run on Unix: \(Self.wordVectors.count)")
        #expect(Self.wordsVectors.count == 24, "wordsTest vectors: \(Self.wordsVectors.count)")
    }

    @Test(arguments: wordVectors)
    func processWord(_ vector: ShellVector) {
        let result = Result { try ShellLex().expand(vector.input, environment: vector.environment) }
        switch (result, vector.expected) {
        case (.success(let value), let expected?):
            #expect(
                value == expected[0],
                "\(vector.input): expected \(expected[0].debugDescription), got \(value.debugDescription)")
        case (.failure, nil): break
        case (.success(let value), nil):
            Issue.record("\(vector.input): expected an error, got \(value.debugDescription)")
        case (.failure(let error), let expected?):
            Issue.record("\(vector.input): expected \(expected[0].debugDescription), got error \(error)")
        }
    }

    @Test(arguments: wordsVectors)
    func processWords(_ vector: ShellVector) {
        let words = (try? ShellLex().expandWords(vector.input, environment: vector.environment)) ?? ["error"]
        let expected = vector.expected ?? ["error"]
        #expect(words == expected, "\(vector.input): expected \(expected), got \(words)")
    }

    @Test func summary() {
        let wordPassed = Self.wordVectors.filter { vector in
            let value = try? ShellLex().expand(vector.input, environment: vector.environment)
            return value == vector.expected?[0]
        }.count
        let wordsPassed = Self.wordsVectors.filter { vector in
            ((try? ShellLex().expandWords(vector.input, environment: vector.environment)) ?? ["error"])
                == (vector.expected ?? ["error"])
        }.count
        #expect(wordPassed == Self.wordVectors.count && wordsPassed == Self.wordsVectors.count)
        print(
            "BuildKit shell vectors: envVarTest \(wordPassed)/\(Self.wordVectors.count), "
                + "wordsTest \(wordsPassed)/\(Self.wordsVectors.count)"
                + (wordPassed + wordsPassed == Self.wordVectors.count + Self.wordsVectors.count ? ", all passed" : ""))
    }
}
