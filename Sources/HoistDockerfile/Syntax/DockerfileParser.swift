/// Parses Dockerfile text into a ``SyntaxTree``: parser directives, line continuations with
/// the escape character, comments (also inside continuations), exec and shell forms, and
/// heredocs, with a source range on every node.
///
/// ```swift
/// let tree = try DockerfileParser.parse("FROM alpine\nRUN echo hi\n")
/// ```
public enum DockerfileParser {
    /// Parses `text`.
    /// - Parameter fileName: the name errors mention (`Dockerfile`, or the `-f` name).
    /// - Throws: ``DockerfileError`` for a repeated directive, a bad escape directive, an
    ///   unterminated heredoc, a JSON array with non-strings, an `ENV`/`LABEL` without a value,
    ///   or a file with no instructions.
    public static func parse(_ text: String, fileName: String = "Dockerfile") throws -> SyntaxTree {
        let reader = LineReader(text: text)
        var parser = ParserState(fileName: fileName, lines: reader.lines)
        return try parser.run()
    }
}

/// The physical lines of a file; each remembers whether it ended with a line feed.
struct LineReader {
    struct Line {
        /// The line without `\n` and trailing `\r`.
        var text: Substring
        /// The line as it was, line feed included (heredoc bodies keep it).
        var raw: Substring
    }

    private(set) var lines: [Line] = []

    init(text: String) {
        var scalars = Substring(text).unicodeScalars
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var start = scalars.startIndex
        while start < scalars.endIndex {
            let lineEnd = scalars[start...].firstIndex(of: "\n").map { scalars.index(after: $0) } ?? scalars.endIndex
            let raw = scalars[start..<lineEnd]
            var text = raw
            while let last = text.last, last == "\n" || last == "\r" { text = text.dropLast() }
            lines.append(Line(text: Substring(text), raw: Substring(raw)))
            start = lineEnd
        }
    }
}

private struct ParserState {
    let fileName: String
    let lines: [LineReader.Line]
    var directives = DirectiveScanner()
    var position = 0
    var nodes: [SyntaxNode] = []
    var warnings: [ParserWarning] = []

    init(fileName: String, lines: [LineReader.Line]) {
        self.fileName = fileName
        self.lines = lines
    }

    var escape: Unicode.Scalar { directives.directives.escapeCharacter }

    func failure(_ message: String, line: Int, column: Int = 1) -> DockerfileError {
        DockerfileError(
            fileName: fileName, line: line, column: column, message: message,
            lineText: line >= 1 && line <= lines.count ? String(lines[line - 1].text) : "")
    }

    mutating func run() throws -> SyntaxTree {
        var comments: [String] = []
        while position < lines.count {
            let line = lines[position]
            position += 1
            let lineNumber = position
            var indent = 0
            let stripped = line.text.unicodeScalars.drop { scalar in
                guard isUnicodeSpace(scalar) else { return false }
                indent += 1
                return true
            }
            let isComment = stripped.first == "#"
            let isDirective: Bool
            do {
                isDirective = try directives.scan(stripped, lineNumber: lineNumber)
            } catch {
                throw failure(error.message, line: lineNumber)
            }
            // Directive lines are not comments about the next instruction.
            if isComment, !isDirective {
                let comment = String(Substring(stripped.dropFirst())).trimmingUnicodeSpace()
                if comment.isEmpty { comments = [] } else { comments.append(comment) }
            }
            let (first, ended) = trimContinuation(isComment ? "" : String(Substring(stripped)))
            if ended, first.isEmpty { continue }
            var logical = first
            var endOfLine = ended
            var lastLine = line
            var hasEmptyContinuation = false
            while !endOfLine, position < lines.count {
                let next = lines[position]
                position += 1
                let nextStripped = next.text.unicodeScalars.drop(while: isUnicodeSpace)
                lastLine = next
                if nextStripped.first == "#" { continue }
                if nextStripped.isEmpty {
                    hasEmptyContinuation = true
                    continue
                }
                let piece: String
                (piece, endOfLine) = trimContinuation(String(next.text))
                logical += piece
            }
            // One warning an instruction, at its last line, as BuildKit places it.
            if hasEmptyContinuation {
                warnings.append(
                    ParserWarning(
                        rule: "EmptyContinuationLine", message: "Empty continuation lines will become errors in a future release",
                        range: SourceRange(start: .init(line: position, column: 1), end: .init(line: position, column: 1))))
            }
            var node: SyntaxNode
            do {
                node = try LineSplitter(escape: escape).node(from: logical, comments: comments)
            } catch {
                throw failure(error.message, line: lineNumber, column: indent + 1)
            }
            if canContainHeredoc(node), containsHeredocOpener(logical) {
                for var heredoc in try heredocs(in: logical, line: lineNumber) {
                    let bodyStart = position + 1
                    var terminated = false
                    while position < lines.count {
                        let bodyLine = lines[position]
                        position += 1
                        lastLine = bodyLine
                        var candidate = bodyLine.text
                        if heredoc.chomp { candidate = candidate.drop(while: { $0 == "\t" }) }
                        if candidate == heredoc.name {
                            terminated = true
                            break
                        }
                        heredoc.content += bodyLine.raw
                    }
                    guard terminated else {
                        throw failure(
                            "unterminated heredoc \"\(heredoc.name)\"", line: lineNumber, column: indent + 1)
                    }
                    heredoc.range = SourceRange(
                        start: .init(line: bodyStart, column: 1),
                        end: .init(line: position, column: lastLine.text.unicodeScalars.count + 1))
                    node.heredocs.append(heredoc)
                }
            }
            let range = SourceRange(
                start: .init(line: lineNumber, column: indent + 1),
                end: .init(line: position, column: lastLine.text.unicodeScalars.count + 1))
            node.range = range
            if case .instruction(var child)? = node.arguments.first, node.instructionName == "onbuild" {
                child.range = range
                node.arguments = [.instruction(child)]
            }
            nodes.append(node)
            comments = []
        }
        guard !nodes.isEmpty else {
            throw failure("file with no instructions", line: lines.count)
        }
        return SyntaxTree(
            fileName: fileName, directives: directives.directives, nodes: nodes, warnings: warnings,
            sourceLines: lines.map { String($0.text) })
    }

    /// Removes a trailing escape character (plus blanks after it) that is not itself escaped;
    /// returns whether the logical line ends here.
    func trimContinuation(_ line: String) -> (String, Bool) {
        let scalars = line.unicodeScalars
        var end = scalars.endIndex
        while end > scalars.startIndex {
            let previous = scalars.index(before: end)
            guard scalars[previous] == " " || scalars[previous] == "\t" else { break }
            end = previous
        }
        guard end > scalars.startIndex else { return (line, true) }
        let escapeIndex = scalars.index(before: end)
        guard scalars[escapeIndex] == escape else { return (line, true) }
        if escapeIndex > scalars.startIndex, scalars[scalars.index(before: escapeIndex)] == escape {
            return (line, true)
        }
        return (String(Substring(scalars[..<escapeIndex])), false)
    }

    /// Whether `<<` occurs at all (a cheap test before the lexer looks for heredoc words).
    func containsHeredocOpener(_ line: String) -> Bool {
        var previous: Unicode.Scalar = " "
        for scalar in line.unicodeScalars {
            if scalar == "<", previous == "<" { return true }
            previous = scalar
        }
        return false
    }

    func canContainHeredoc(_ node: SyntaxNode) -> Bool {
        switch node.instructionName {
        case "run", "copy", "add": return !node.isJSON
        case "onbuild":
            if case .instruction(let child)? = node.arguments.first { return canContainHeredoc(child) }
            return false
        default: return false
        }
    }

    /// The heredocs a line opens, in order: words of the form `[fd]<<[-]NAME`.
    func heredocs(in line: String, line lineNumber: Int) throws -> [Heredoc] {
        var lexer = ShellLex(escapeCharacter: "\\")
        lexer.keepsQuotes = true
        lexer.keepsEscapes = true
        // As in BuildKit, a line the lexer cannot split simply has no heredocs.
        guard let words = try? lexer.process(line, lookup: { _ in nil }).words else { return [] }
        var result: [Heredoc] = []
        for word in words {
            do {
                if let heredoc = try HeredocDelimiter.parse(word) { result.append(heredoc) }
            } catch {
                throw failure("\(error)", line: lineNumber)
            }
        }
        return result
    }
}

/// Recognises a heredoc opener word such as `<<EOF`, `<<-"EOF"` or `3<<'END'`.
enum HeredocDelimiter {
    static func parse(_ word: String) throws(ShellExpansionError) -> Heredoc? {
        let scalars = Array(word.unicodeScalars)
        var index = 0
        while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
        let digits = String(String.UnicodeScalarView(scalars[..<index]))
        guard index + 1 < scalars.count, scalars[index] == "<", scalars[index + 1] == "<" else { return nil }
        index += 2
        let chomp = index < scalars.count && scalars[index] == "-"
        if chomp { index += 1 }
        let rest = String(String.UnicodeScalarView(scalars[index...]))
        guard !rest.isEmpty, !rest.unicodeScalars.contains("<") else { return nil }
        var lexer = ShellLex(escapeCharacter: "\\")
        lexer.keepsUnsetVariables = true
        let words = try lexer.process(rest, lookup: { _ in nil }).words
        guard words.count == 1 else { return nil }
        lexer.keepsQuotes = true
        let rawWords = try lexer.process(rest, lookup: { _ in nil }).words
        guard rawWords.count == 1 else {
            throw ShellExpansionError("internal lexing of heredoc produced inconsistent results: \(rest)")
        }
        // A quote anywhere in the delimiter turns expansion of the body off.
        func quoteCount(_ text: String) -> Int { text.unicodeScalars.filter { $0 == "'" || $0 == "\"" }.count }
        return Heredoc(
            name: words[0], content: "", expands: quoteCount(words[0]) == quoteCount(rawWords[0]), chomp: chomp,
            fileDescriptor: Int(digits) ?? 0)
    }
}
