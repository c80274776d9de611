/// Turns one logical Dockerfile line into a raw node: keyword, `--flags`, and arguments split
/// by the keyword's rules (exec-form JSON, whitespace words, key/value pairs, or one string).
struct LineSplitter {
    let escape: Unicode.Scalar

    /// Splits `line` into a node (without range and heredocs).
    /// `ONBUILD` nesting allowed in the raw tree (the typed layer allows one level).
    static let maximumNesting = 32

    func node(from line: String, comments: [String], nesting: Int = 0) throws(ParseFailure) -> SyntaxNode {
        let pieces = line.trimmingUnicodeSpace().splitOnBlanks(limit: 2)
        let keyword = pieces.first ?? ""
        var flags: [String] = []
        var rest = ""
        if pieces.count == 2 {
            (rest, flags) = extractFlags(pieces[1])
            rest = rest.trimmingUnicodeSpace()
        }
        var node = SyntaxNode(keyword: keyword, flags: flags, original: line, comments: comments)
        try splitArguments(rest, into: &node, nesting: nesting)
        return node
    }

    private func splitArguments(_ rest: String, into node: inout SyntaxNode, nesting: Int) throws(ParseFailure) {
        switch node.instructionName {
        case "add", "copy", "volume":
            try maybeJSONList(rest, into: &node)
        case "run", "cmd", "entrypoint", "shell":
            try maybeJSON(rest, into: &node)
        case "from", "expose":
            node.arguments = rest.splitOnBlanks().map(SyntaxArgument.string)
        case "env":
            node.arguments = try nameValuePairs(rest, keyword: "ENV")
        case "label":
            node.arguments = try nameValuePairs(rest, keyword: "LABEL")
        case "arg":
            node.arguments = words(rest).map(SyntaxArgument.string)
        case "maintainer", "user", "workdir", "stopsignal":
            node.arguments = rest.isEmpty ? [] : [.string(rest)]
        case "healthcheck":
            try healthcheck(rest, into: &node)
        case "onbuild":
            guard nesting < Self.maximumNesting else { throw ParseFailure("ONBUILD nested too deeply") }
            if !rest.isEmpty {
                node.arguments = [.instruction(try self.node(from: rest, comments: [], nesting: nesting + 1))]
            }
        default:
            // Unknown keywords are rejected by the typed layer, which knows what is valid.
            node.arguments = [.string("")]
        }
    }

    private func maybeJSON(_ rest: String, into node: inout SyntaxNode) throws(ParseFailure) {
        guard !rest.isEmpty else { return }
        switch JSONStringArrayReader.read(rest) {
        case .strings(let strings):
            node.arguments = strings.map(SyntaxArgument.string)
            node.isJSON = true
        case .notAllStrings:
            throw ParseFailure("JSON arrays must contain strings only")
        case .invalid:
            node.arguments = [.string(rest)]
        }
    }

    private func maybeJSONList(_ rest: String, into node: inout SyntaxNode) throws(ParseFailure) {
        switch JSONStringArrayReader.read(rest) {
        case .strings(let strings):
            node.arguments = strings.map(SyntaxArgument.string)
            node.isJSON = true
        case .notAllStrings:
            throw ParseFailure("JSON arrays must contain strings only")
        case .invalid:
            node.arguments = rest.splitOnBlanks().map(SyntaxArgument.string)
        }
    }

    private func healthcheck(_ rest: String, into node: inout SyntaxNode) throws(ParseFailure) {
        let scalars = Array(rest.unicodeScalars)
        var separator = 0
        while separator < scalars.count, !isUnicodeSpace(scalars[separator]) { separator += 1 }
        guard separator > 0 else { return }
        var next = separator
        while next < scalars.count, isUnicodeSpace(scalars[next]) { next += 1 }
        var command = SyntaxNode(keyword: node.keyword)
        try maybeJSON(String(String.UnicodeScalarView(scalars[next...])), into: &command)
        node.arguments = [.string(String(String.UnicodeScalarView(scalars[..<separator])))] + command.arguments
        node.isJSON = command.isJSON
    }

    /// `ENV`/`LABEL`: the old `KEY name value` form or `KEY a=b c=d` pairs, as triples.
    private func nameValuePairs(_ rest: String, keyword: String) throws(ParseFailure) -> [SyntaxArgument] {
        let words = words(rest)
        guard let first = words.first else { return [] }
        if !first.unicodeScalars.contains("=") {
            let parts = rest.splitOnBlanks(limit: 2)
            guard parts.count == 2 else { throw ParseFailure("\(keyword) must have two arguments") }
            return [.string(parts[0]), .string(parts[1]), .string("")]
        }
        var arguments: [SyntaxArgument] = []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                throw ParseFailure(
                    "Syntax error - can't find = in \"\(word)\". Must be of the form: name=value")
            }
            arguments += [
                .string(String(word[..<equals])), .string(String(word[word.index(after: equals)...])),
                .string("="),
            ]
        }
        return arguments
    }

    /// Splits on white space outside quotes, keeping quotes and escapes in the words.
    func words(_ rest: String) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        var quote: Unicode.Scalar?
        var blankOK = false
        let scalars = Array(rest.unicodeScalars)
        var index = 0
        func finishWord() {
            if blankOK || !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
            blankOK = false
            inWord = false
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if let open = quote {
                if scalar == open { quote = nil }
                // Nothing can be escaped inside single quotes.
                if scalar == escape, open != "'" {
                    if index == scalars.count {
                        quote = nil
                        continue
                    }
                    word.append(scalar)
                    word.append(scalars[index])
                    index += 1
                    continue
                }
                word.append(scalar)
                continue
            }
            if !inWord {
                if isUnicodeSpace(scalar) { continue }
                inWord = true
            }
            if isUnicodeSpace(scalar) {
                finishWord()
                continue
            }
            if scalar == "'" || scalar == "\"" {
                quote = scalar
                blankOK = true
            }
            if scalar == escape {
                if index == scalars.count { continue }
                word.append(scalar)
                word.append(scalars[index])
                index += 1
                continue
            }
            word.append(scalar)
        }
        if inWord || quote != nil { finishWord() }
        return words
    }

    /// Takes the leading `--flag` words off `line`; returns the remainder and the flags, quotes
    /// removed and escapes applied. A bare `--` ends the flags and is dropped.
    func extractFlags(_ line: String) -> (rest: String, flags: [String]) {
        let scalars = Array(line.unicodeScalars)
        var flags: [String] = []
        var index = 0
        func remainder(_ from: Int) -> String { String(String.UnicodeScalarView(scalars[from...])) }
        while true {
            while index < scalars.count, isUnicodeSpace(scalars[index]) { index += 1 }
            guard index < scalars.count else { return ("", flags) }
            guard scalars[index] == "-", index + 1 < scalars.count, scalars[index + 1] == "-" else {
                return (remainder(index), flags)
            }
            var word = String.UnicodeScalarView()
            var blankOK = false
            var quote: Unicode.Scalar?
            while index < scalars.count {
                let scalar = scalars[index]
                if quote == nil, isUnicodeSpace(scalar) { break }
                index += 1
                if let open = quote {
                    if scalar == open {
                        quote = nil
                        continue
                    }
                    if scalar == escape {
                        if index == scalars.count {
                            quote = nil
                            continue
                        }
                        word.append(scalars[index])
                        index += 1
                        continue
                    }
                    word.append(scalar)
                    continue
                }
                if scalar == "'" || scalar == "\"" {
                    quote = scalar
                    blankOK = true
                    continue
                }
                if scalar == escape {
                    if index == scalars.count { continue }
                    word.append(scalars[index])
                    index += 1
                    continue
                }
                word.append(scalar)
            }
            if String(word) == "--" {
                return (index < scalars.count ? remainder(index) : "", flags)
            }
            if blankOK || !word.isEmpty { flags.append(String(word)) }
        }
    }
}
