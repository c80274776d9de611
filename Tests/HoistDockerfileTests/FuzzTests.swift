import Foundation
import HoistDockerfile
import HoistFuzzTargets
import HoistTestSupport
import Testing

/// Builds plausible Dockerfiles from fragments and mutates them character by character.
enum DockerfileFuzzer {
    static let fragments = [
        "FROM alpine:3.20 AS build", "from --platform=$BUILDPLATFORM ${BASE:-debian} as Base", "ARG VERSION=1.0",
        "ARG A B=\"c d\" E='f'", "ENV PATH=/x:$PATH HOME=\"/root dir\"", "ENV legacy value with spaces",
        "LABEL a=b \"c d\"=e", "RUN echo \"$HOME\" && ls -l \\", "  | wc -l", "RUN [\"sh\", \"-c\", \"echo hi\"]",
        "RUN --mount=type=cache,target=/root/.cache --network=none make", "RUN <<EOF", "echo heredoc $X", "EOF",
        "COPY --from=build --chown=1:1 --chmod=0644 a b /dst/", "COPY <<-END /etc/file", "\tbody", "\tEND",
        "ADD --checksum=sha256:abc https://example.com/x.tgz /x", "CMD [\"a\", \"b\"]", "CMD run this",
        "ENTRYPOINT [\"/entry\"]", "HEALTHCHECK --interval=5s CMD curl -f localhost", "HEALTHCHECK NONE",
        "SHELL [\"/bin/bash\", \"-c\"]", "EXPOSE 80 443/udp", "VOLUME [\"/data\"]", "VOLUME /a /b", "USER app:app",
        "WORKDIR /src", "STOPSIGNAL SIGTERM", "MAINTAINER me", "ONBUILD RUN make", "# a comment", "",
        "# escape=`", "# syntax=docker/dockerfile:1", "RUN a `", "COPY -- --weird /x", "FOO bar",
        "CMD --flag=\"quoted value\" [\"x\"]", "ENV x=\"unterminated", "RUN ['single', 'quotes']",
        "CMD [\"nested\", [1]]", "\\", "   ", "RUN \"a\\\\\" \\\\",
    ]
    static let alphabet: [Character] = Array("abcXYZ019 \t\\`\"'[]{}$=#<-,:/\n\r\u{FEFF}é한\u{A0}")

    static func document(_ random: inout SeededGenerator) -> String {
        let count = Int.random(in: 1...14, using: &random)
        return (0..<count).map { _ in fragments.randomElement(using: &random)! }.joined(separator: "\n")
            + (Bool.random(using: &random) ? "\n" : "")
    }

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let position = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: characters.insert(alphabet.randomElement(using: &random)!, at: position)
            case 1: if !characters.isEmpty { characters.remove(at: position) }
            case 2: if !characters.isEmpty { characters[position] = alphabet.randomElement(using: &random)! }
            default:
                let other = characters.isEmpty ? 0 : Int.random(in: 0..<characters.count, using: &random)
                if !characters.isEmpty { characters.swapAt(position, other) }
            }
        }
        return String(characters)
    }
}

/// Property tests: random and mutated Dockerfiles never crash any layer, and parse → print →
/// parse is stable.
@Suite struct FuzzTests {
    /// 8 batches of 400 documents by default; `HOIST_FUZZ_BATCHES=200` for a long run.
    static let batches = Int(ProcessInfo.processInfo.environment["HOIST_FUZZ_BATCHES"] ?? "") ?? 8

    /// What must survive printing: the dump (keywords, flags, arguments), exec form, heredocs
    /// and directives.
    func signature(_ tree: SyntaxTree) -> String {
        var text = tree.dump() + "\n" + tree.directives.all.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        for node in tree.nodes {
            text +=
                "\n\(node.isJSON) \(node.heredocs.map { "\($0.name)|\($0.content)|\($0.expands)|\($0.chomp)|\($0.fileDescriptor)" })"
            text += " \(node.comments)"
        }
        return text
    }

    func exerciseAllLayers(_ text: String) {
        FuzzTarget.exerciseDockerfile(text)
    }

    @Test(arguments: 0..<batches)
    func mutatedDockerfilesRoundTrip(batch: Int) throws {
        var random = SeededGenerator(seed: UInt64(batch) &* 7919 &+ 17)
        var parsed = 0
        for iteration in 0..<400 {
            var text = DockerfileFuzzer.document(&random)
            if iteration % 4 != 0 { text = DockerfileFuzzer.mutate(text, &random) }
            exerciseAllLayers(text)
            guard let tree = try? DockerfileParser.parse(text) else { continue }
            guard !tree.nodes.contains(where: { $0.keyword.isEmpty }) else { continue }
            parsed += 1
            let printed = tree.formatted()
            let reparsed: SyntaxTree
            do {
                reparsed = try DockerfileParser.parse(printed)
            } catch {
                Issue.record(
                    "batch \(batch) #\(iteration): printed text does not parse: \(error)\n--- input\n\(text.debugDescription)\n--- printed\n\(printed.debugDescription)"
                )
                continue
            }
            #expect(
                signature(reparsed) == signature(tree),
                "batch \(batch) #\(iteration)\n--- input\n\(text.debugDescription)\n--- printed\n\(printed.debugDescription)\n--- before\n\(signature(tree))\n--- after\n\(signature(reparsed))"
            )
            #expect(reparsed.formatted() == printed, "printing is not idempotent for batch \(batch) #\(iteration)")
        }
        #expect(parsed > 100, "too few parseable samples (\(parsed)) to mean anything")
    }

    @Test(arguments: 0..<4)
    func randomTextNeverCrashes(batch: Int) {
        var random = SeededGenerator(seed: UInt64(batch) &+ 1000)
        for _ in 0..<500 {
            let length = Int.random(in: 0..<200, using: &random)
            let text = String((0..<length).map { _ in DockerfileFuzzer.alphabet.randomElement(using: &random)! })
            exerciseAllLayers(text)
            exerciseAllLayers("FROM a\n" + text)
            FuzzTarget.expansion.run(Array(text.utf8))
            FuzzTarget.dockerignore.run(Array((text + "\na/b/c").utf8))
        }
    }

    @Test func hostileNestingIsRefusedNotFatal() throws {
        let deepSubstitution = String(repeating: "${a:-", count: 5000) + "x" + String(repeating: "}", count: 5000)
        #expect(throws: ShellExpansionError.self) { try ShellLex().expand(deepSubstitution, environment: [:]) }
        let deepJSON = "CMD " + String(repeating: "[", count: 20000) + String(repeating: "]", count: 20000)
        #expect(try DockerfileParser.parse(deepJSON).nodes[0].isJSON == false)
        let deepOnbuild = String(repeating: "ONBUILD ", count: 5000) + "RUN x"
        #expect(throws: DockerfileError.self) { try DockerfileParser.parse(deepOnbuild) }
        let twoLevels = try DockerfileParser.parse("ONBUILD ONBUILD RUN x\n")
        #expect(twoLevels.dump() == "(onbuild (onbuild (run \"x\")))")
    }

    @Test func printedFormIsCanonical() throws {
        let tree = try DockerfileParser.parse(
            """
            # escape=`
            # the base
            FROM  alpine   AS  build
            RUN  --mount="type=cache,target=/a b" `
                echo hi
            COPY -- --odd /x
            ENV a=1   b="two words"
            CMD   [ "x" ,"y" ]
            ONBUILD COPY <<EOF /f
            body
            EOF
            """)
        #expect(
            tree.formatted() == """
                # escape=`

                # the base
                FROM alpine AS build
                RUN --"mount=type=cache,target=/a b" echo hi
                COPY -- --odd /x
                ENV a=1 b="two words"
                CMD ["x", "y"]
                ONBUILD COPY <<EOF /f
                body
                EOF

                """)
    }
}
