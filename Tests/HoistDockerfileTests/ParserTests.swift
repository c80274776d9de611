import HoistDockerfile
import Testing

/// Parser behaviour the BuildKit data files do not cover: heredocs, directives, ranges, errors.
@Suite struct ParserTests {
    @Test func heredocBodyAndDelimiters() throws {
        let tree = try DockerfileParser.parse(
            """
            FROM alpine
            RUN <<EOF
            echo $HOME
            EOF
            COPY <<-"END" /file
            \tindented
            \tEND
            RUN 3<<'ONE' cat <<TWO > out
            first
            ONE
            second
            TWO
            CMD done

            """)
        #expect(tree.nodes.count == 5)
        let run = tree.nodes[1]
        let bodyRange = SourceRange(start: .init(line: 3, column: 1), end: .init(line: 4, column: 4))
        #expect(
            run.heredocs == [
                Heredoc(name: "EOF", content: "echo $HOME\n", expands: true, chomp: false, range: bodyRange)
            ])
        #expect(run.range.start.line == 2 && run.range.end.line == 4)
        let copy = tree.nodes[2]
        #expect(copy.stringArguments == ["<<-\"END\"", "/file"])
        #expect(copy.heredocs.first?.name == "END")
        #expect(copy.heredocs.first?.expands == false)
        #expect(copy.heredocs.first?.chomp == true)
        #expect(copy.heredocs.first?.effectiveContent == "indented\n")
        let pair = tree.nodes[3].heredocs
        #expect(pair.map(\.name) == ["ONE", "TWO"])
        #expect(pair.map(\.content) == ["first\n", "second\n"])
        #expect(pair.map(\.fileDescriptor) == [3, 0])
        #expect(pair.map { $0.range?.start.line } == [9, 11] && pair.map { $0.range?.end.line } == [10, 12])
        #expect(pair.map(\.expands) == [false, true])
        #expect(tree.nodes[4].range.start.line == 13)
    }

    @Test func heredocOnlyForRunCopyAdd() throws {
        let tree = try DockerfileParser.parse("FROM a\nENV x=<<EOF\nRUN [\"<<EOF\"]\nONBUILD RUN <<X\nbody\nX\n")
        #expect(tree.nodes[1].heredocs.isEmpty)
        #expect(tree.nodes[2].heredocs.isEmpty)
        #expect(tree.nodes[3].heredocs.map(\.name) == ["X"])
    }

    @Test func unterminatedHeredocIsLocated() {
        do {
            _ = try DockerfileParser.parse("FROM a\n  RUN <<EOF\necho\n")
            Issue.record("expected an error")
        } catch let error as DockerfileError {
            #expect(error.line == 2 && error.column == 3, "\(error)")
            #expect(error.message == "unterminated heredoc \"EOF\"")
            #expect(error.description == "Dockerfile:2:3: unterminated heredoc \"EOF\"\n      RUN <<EOF\n      ^")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func directives() throws {
        let tree = try DockerfileParser.parse(
            "# syntax=docker/dockerfile:1\n#escape=`\n# check=skip=all\nFROM a\nRUN a `\n  b\n")
        #expect(tree.directives.syntax == "docker/dockerfile:1")
        #expect(tree.directives.check == "skip=all")
        #expect(tree.escapeCharacter == "`")
        #expect(tree.nodes[1].stringArguments == ["a   b"])
        #expect(throws: DockerfileError.self) { try DockerfileParser.parse("# escape=x\nFROM a\n") }
        #expect(throws: DockerfileError.self) { try DockerfileParser.parse("# check=a\n# CHECK=b\nFROM a\n") }
        // A directive after an instruction is a comment.
        let late = try DockerfileParser.parse("FROM a\n# escape=`\nRUN a \\\n b\n")
        #expect(late.escapeCharacter == "\\" && late.nodes.count == 2)
    }

    @Test func directiveHeaderWithoutParsingTheRest() {
        // What follows may be another frontend's format: only the header is read.
        let header = ParserDirectives.header(of: "# syntax=example/frontend:1\n# check=skip=all\n{ not: a Dockerfile }\n# escape=`\n")
        #expect(header.syntax == "example/frontend:1" && header.check == "skip=all" && header["escape"] == nil)
        #expect(ParserDirectives.header(of: "FROM a\n# syntax=late\n").syntax == nil)
        #expect(ParserDirectives.header(of: "# syntax=a\n# syntax=b\n").syntax == "a", "a repeated directive ends the header")
        #expect(ParserDirectives.header(of: "").all.isEmpty)
    }

    @Test func rangesAndColumns() throws {
        let tree = try DockerfileParser.parse("\n   FROM a AS b\nRUN x \\\n# c\n\n  y\n")
        #expect(tree.nodes[0].range == SourceRange(start: .init(line: 2, column: 4), end: .init(line: 2, column: 15)))
        #expect(tree.nodes[1].range.start == SourcePosition(line: 3, column: 1))
        #expect(tree.nodes[1].range.end.line == 6)
        #expect(tree.warnings.map(\.rule) == ["EmptyContinuationLine"])
        #expect(tree.nodes[0].comments.isEmpty)
    }

    @Test func commentsAttachToNextInstruction() throws {
        let tree = try DockerfileParser.parse("FROM a\n# first\n# second\nRUN x\n")
        #expect(tree.nodes[1].comments == ["first", "second"])
    }

    @Test func crlfAndBOM() throws {
        let tree = try DockerfileParser.parse("\u{FEFF}FROM a\r\nRUN b \\\r\n c\r\n")
        #expect(tree.dump() == "(from \"a\")\n(run \"b  c\")")
    }

    @Test func errorsCarryTheLine() {
        do {
            _ = try DockerfileParser.parse("FROM a\nENV PATH\n", fileName: "build/Containerfile")
            Issue.record("expected an error")
        } catch let error as DockerfileError {
            #expect(error.code == .invalidArgument)
            #expect(error.fileName == "build/Containerfile" && error.line == 2 && error.lineText == "ENV PATH")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
