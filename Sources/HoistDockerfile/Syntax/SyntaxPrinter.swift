/// Renders a ``SyntaxTree`` back to Dockerfile text: directives, then each instruction on one
/// line (continuations joined) with its comments above it and its heredoc bodies below it.
///
/// Parsing the printed text gives the same tree (keywords, flags, arguments, exec form,
/// heredocs, directives); only ranges and layout change. The single exception is a node with
/// an empty keyword (a file whose last instruction is a lone escape character), which has no
/// one-line spelling.
extension SyntaxTree {
    /// The tree as Dockerfile text.
    public func formatted() -> String {
        var text = ""
        for directive in directives.all { text += "# \(directive.name)=\(directive.value)\n" }
        // A blank line ends the directive header, so no comment below can turn into one.
        if !directives.all.isEmpty || !(nodes.first?.comments.isEmpty ?? true) { text += "\n" }
        let printer = NodePrinter(escape: escapeCharacter)
        for node in nodes {
            for comment in node.comments { text += "# \(comment)\n" }
            text += printer.terminatedLine(for: node) + "\n"
            for heredoc in node.heredocs { text += heredoc.content + heredoc.name + "\n" }
        }
        return text
    }
}

private struct NodePrinter {
    let escape: Unicode.Scalar

    /// The node's line, made safe from reading as a continuation: a vertical tab after a
    /// trailing escape character stops the continuation and is trimmed away again.
    func terminatedLine(for node: SyntaxNode) -> String {
        let text = line(for: node)
        let scalars = Array(text.unicodeScalars)
        var end = scalars.count
        while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        let continues = end > 0 && scalars[end - 1] == escape && !(end > 1 && scalars[end - 2] == escape)
        return continues ? text + "\u{0B}" : text
    }

    func line(for node: SyntaxNode) -> String {
        var line = node.keyword
        for flag in node.flags { line += " " + quotedFlag(flag) }
        let rest = self.rest(of: node)
        if !rest.isEmpty {
            // A bare `--` keeps arguments that look like flags from being read as flags.
            line += rest.hasPrefix("--") ? " -- " + rest : " " + rest
        }
        return line
    }

    private func rest(of node: SyntaxNode) -> String {
        let strings = node.stringArguments
        switch node.instructionName {
        case "onbuild":
            guard case .instruction(let child)? = node.arguments.first else { return "" }
            return line(for: child)
        case "healthcheck":
            guard let kind = strings.first else { return "" }
            let command = Array(strings.dropFirst())
            if node.isJSON { return kind + " " + json(command) }
            return ([kind] + command).joined(separator: " ")
        case "env", "label":
            var pairs: [String] = []
            for index in stride(from: 0, to: strings.count - 2, by: 3) {
                pairs.append(strings[index] + (strings[index + 2] == "=" ? "=" : " ") + strings[index + 1])
            }
            return pairs.joined(separator: " ")
        case "add", "copy", "volume", "run", "cmd", "entrypoint", "shell":
            if node.isJSON { return json(strings) }
            let joined = strings.joined(separator: " ")
            // Blanks JSON does not allow can hide an array; rejoining must not reveal one.
            if case .invalid = JSONStringArrayReader.read(joined) { return joined }
            return originalRest(of: node)
        case "from", "expose", "arg", "maintainer", "user", "workdir", "stopsignal":
            return strings.joined(separator: " ")
        default:
            // Unknown instructions ignore their text; keep it so the keyword stays intact.
            return originalRest(of: node)
        }
    }

    private func originalRest(of node: SyntaxNode) -> String {
        let pieces = node.original.trimmingUnicodeSpace().splitOnBlanks(limit: 2)
        guard pieces.count == 2 else { return "" }
        return LineSplitter(escape: escape).extractFlags(pieces[1]).rest.trimmingUnicodeSpace()
    }

    private func quotedFlag(_ flag: String) -> String {
        let body = flag.dropFirst(2)
        let needsQuotes =
            body.isEmpty
            || body.unicodeScalars.contains {
                isUnicodeSpace($0) || $0 == "\"" || $0 == "'" || $0 == escape
            }
        guard needsQuotes else { return flag }
        var quoted = "--\""
        for scalar in body.unicodeScalars {
            if scalar == "\"" || scalar == escape { quoted.unicodeScalars.append(escape) }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    private func json(_ strings: [String]) -> String {
        "[" + strings.map(jsonString).joined(separator: ", ") + "]"
    }

    private func jsonString(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar == escape {
                    result +=
                        "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
