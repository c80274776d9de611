import Foundation
import HoistDockerfile
import Testing

/// A deterministic, realistic Dockerfile of exactly `lines` lines: many stages with
/// continuations, heredocs, mounts, JSON forms, comments and variables.
enum BenchmarkDockerfile {
    static func make(lines target: Int) -> String {
        let stage = [
            "# stage {n}: build a component",
            "ARG VERSION_{n}=1.{n}.0",
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build{n}",
            "ARG VERSION_{n}",
            "ENV CGO_ENABLED=0 GOFLAGS=\"-mod=vendor -trimpath\" VERSION=${VERSION_{n}}",
            "WORKDIR /src/component{n}",
            "COPY --link --chown=1000:1000 --exclude=*.md go.mod go.sum ./",
            "RUN --mount=type=cache,target=/root/.cache/go-build,id=go{n} \\",
            "    --mount=type=secret,id=netrc,target=/root/.netrc \\",
            "    go mod download && \\",
            "    go build -ldflags \"-X main.version=${VERSION}\" -o /out/app{n} ./cmd/app",
            "RUN <<EOF",
            "set -eu",
            "echo building component {n}",
            "EOF",
            "COPY <<-CONF /etc/app{n}.conf",
            "\tname = component{n}",
            "\tCONF",
            "LABEL org.opencontainers.image.version=\"${VERSION}\" component=\"{n}\"",
            "EXPOSE 80{n2}/tcp 90{n2}/udp",
            "HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD [\"/out/app{n}\", \"health\"]",
            "USER 1000:1000",
            "CMD [\"/out/app{n}\", \"serve\"]",
            "",
        ]
        var text: [String] = []
        var index = 0
        while text.count < target {
            for line in stage where text.count < target {
                text.append(
                    line.replacingOccurrences(of: "{n2}", with: String(format: "%02d", index % 100))
                        .replacingOccurrences(of: "{n}", with: String(index)))
            }
            index += 1
        }
        // Never end inside a continuation or heredoc: finish with a complete instruction.
        text[text.count - 1] = "CMD [\"done\"]"
        return text.joined(separator: "\n") + "\n"
    }
}

/// Parse-time benchmark, run by scripts/bench-parse.sh (`HOIST_PARSE_BENCH=1`). Prints the
/// times of each layer for a 5,000-line Dockerfile (or `HOIST_PARSE_BENCH_FILE`).
@Suite struct ParseBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["HOIST_PARSE_BENCH"] == "1"

    @Test func generatedFileIsValid() throws {
        let text = BenchmarkDockerfile.make(lines: 5000)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 5001)
        let dockerfile = try Dockerfile.parse(text)
        #expect(dockerfile.stages.count > 200)
        #expect(dockerfile.syntax.nodes.last?.range.end.line == 5000)
    }

    @Test(.enabled(if: enabled, "set HOIST_PARSE_BENCH=1 (scripts/bench-parse.sh)"))
    func parseFiveThousandLines() throws {
        let environment = ProcessInfo.processInfo.environment
        let text: String
        if let path = environment["HOIST_PARSE_BENCH_FILE"] {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } else {
            text = BenchmarkDockerfile.make(lines: 5000)
        }
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let rounds = Int(environment["HOIST_PARSE_BENCH_ROUNDS"] ?? "") ?? 10
        let clock = ContinuousClock()
        func measure(_ body: () throws -> Void) rethrows -> (best: Double, median: Double) {
            var samples: [Double] = []
            for _ in 0..<rounds {
                let duration = try clock.measure(body)
                samples.append(
                    Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1e3)
            }
            samples.sort()
            return (samples[0], samples[samples.count / 2])
        }
        var tree: SyntaxTree?
        let syntax = try measure { tree = try DockerfileParser.parse(text) }
        var dockerfile: Dockerfile?
        let typed = try measure { dockerfile = try Dockerfile(syntax: tree!) }
        let checks = try measure { _ = try BuildChecker().check(dockerfile!) }
        let scoping = try measure {
            let global = try GlobalScope(dockerfile: dockerfile!, arguments: BuildArguments())
            for stage in dockerfile!.stages {
                _ = try global.resolveFrom(of: stage)
                var scope = StageScope(global: global)
                for instruction in stage.instructions { _ = try scope.apply(instruction) }
            }
        }
        let total = syntax.median + typed.median + checks.median + scoping.median
        func row(_ name: String, _ value: (best: Double, median: Double)) -> String {
            "  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) best \(String(format: "%8.2f", value.best)) ms   median \(String(format: "%8.2f", value.median)) ms"
        }
        print(
            """
            Parse benchmark: \(lineCount) lines, \(tree!.nodes.count) instructions, \(dockerfile!.stages.count) stages, \(rounds) rounds
            \(row("syntax tree", syntax))
            \(row("typed instructions", typed))
            \(row("build checks", checks))
            \(row("ARG/ENV expansion", scoping))
              syntax parse rate: \(Int(Double(lineCount) / (syntax.median / 1000))) lines/s; all layers \(String(format: "%.2f", total)) ms
            """)
        #expect(tree!.nodes.count > 0)
    }
}
