/// Collects output into words the way the lexer splits them.
struct WordCollector {
    var word = String.UnicodeScalarView()
    var words: [String] = []
    var inWord = false

    mutating func addCharacter(_ scalar: Unicode.Scalar) {
        if isUnicodeSpace(scalar) {
            if inWord, !word.isEmpty {
                words.append(String(word))
                word = String.UnicodeScalarView()
                inWord = false
            }
        } else {
            addRawCharacter(scalar)
        }
    }

    mutating func addRawCharacter(_ scalar: Unicode.Scalar) {
        word.append(scalar)
        inWord = true
    }

    mutating func addString(_ string: String) {
        for scalar in string.unicodeScalars { addCharacter(scalar) }
    }

    mutating func addRawString(_ string: String) {
        word.append(contentsOf: string.unicodeScalars)
        inWord = true
    }

    mutating func finish() -> [String] {
        if !word.isEmpty {
            words.append(String(word))
            word = String.UnicodeScalarView()
            inWord = false
        }
        return words
    }
}

/// The scanning state of one expansion.
struct ShellWordState {
    let scalars: [Unicode.Scalar]
    let lexer: ShellLex
    let lookup: (String) -> String?
    var rawEscapes: Bool
    var index = 0
    var matched: Set<String> = []
    /// How many `${` are open; bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maximumDepth = 200
    var unmatched: Set<String> = []

    init(scalars: [Unicode.Scalar], lexer: ShellLex, lookup: @escaping (String) -> String?, rawEscapes: Bool) {
        self.scalars = scalars
        self.lexer = lexer
        self.lookup = lookup
        self.rawEscapes = rawEscapes
    }

    var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    mutating func next() -> Unicode.Scalar? {
        guard index < scalars.count else { return nil }
        defer { index += 1 }
        return scalars[index]
    }

    /// Looks `name` up; `handlesUnset` marks forms with their own fallback (`${X:-y}`,
    /// `${X+y}`, `${X?msg}`), which do not count as undefined uses.
    mutating func environment(_ name: String, handlesUnset: Bool = false) -> String? {
        let value = lookup(name)
        if value != nil {
            matched.insert(name)
        } else if !handlesUnset {
            unmatched.insert(name)
        }
        return value
    }

    /// Processes up to (and consuming) one of `stops`, or to the end when `stops` is nil.
    mutating func processStop(
        on stops: Set<Unicode.Scalar>?, rawEscapes temporaryRaw: Bool
    ) throws(ShellExpansionError) -> (String, [String]) {
        var result = String.UnicodeScalarView()
        var words = WordCollector()
        let savedRaw = rawEscapes
        if temporaryRaw { rawEscapes = true }
        defer { rawEscapes = savedRaw }

        while let scalar = peek {
            if let stops, stops.contains(scalar) {
                index += 1
                return (String(result), words.finish())
            }
            if scalar == "$" {
                let text = try processDollar()
                result.append(contentsOf: text.unicodeScalars)
                words.addString(text)
            } else if !lexer.ignoresQuotes, scalar == "'" || scalar == "\"" {
                let text = try scalar == "'" ? processSingleQuote() : processDoubleQuote()
                result.append(contentsOf: text.unicodeScalars)
                words.addRawString(text)
            } else {
                var character = next()!
                if character == lexer.escapeCharacter {
                    if rawEscapes {
                        words.addRawCharacter(character)
                        result.append(character)
                    }
                    guard let escaped = next() else { break }
                    character = escaped
                    words.addRawCharacter(character)
                } else {
                    words.addCharacter(character)
                }
                result.append(character)
            }
        }
        if let stops {
            let wanted = String(String.UnicodeScalarView(stops.sorted { $0.value < $1.value }))
            throw ShellExpansionError("unexpected end of statement while looking for matching \(wanted)")
        }
        return (String(result), words.finish())
    }

    mutating func processSingleQuote() throws(ShellExpansionError) -> String {
        var result = String.UnicodeScalarView()
        let open = next()!
        if lexer.keepsQuotes { result.append(open) }
        while true {
            guard let scalar = next() else {
                throw ShellExpansionError("unexpected end of statement while looking for matching single-quote")
            }
            if scalar == "'" {
                if lexer.keepsQuotes { result.append(scalar) }
                return String(result)
            }
            result.append(scalar)
        }
    }

    mutating func processDoubleQuote() throws(ShellExpansionError) -> String {
        var result = String.UnicodeScalarView()
        let open = next()!
        if lexer.keepsQuotes { result.append(open) }
        while true {
            guard let scalar = peek else {
                throw ShellExpansionError("unexpected end of statement while looking for matching double-quote")
            }
            switch scalar {
            case "\"":
                index += 1
                if lexer.keepsQuotes { result.append(scalar) }
                return String(result)
            case "$":
                result.append(contentsOf: try processDollar().unicodeScalars)
            default:
                var character = next()!
                if character == lexer.escapeCharacter {
                    if rawEscapes { result.append(character) }
                    guard let following = peek else { continue }
                    // Only these can be escaped inside double quotes; other escapes stay literal.
                    if following == "\"" || following == "$" || following == lexer.escapeCharacter {
                        character = next()!
                    }
                }
                result.append(character)
            }
        }
    }

    mutating func processName() -> String {
        var name = String.UnicodeScalarView()
        while let scalar = peek {
            if name.isEmpty, isDecimalDigit(scalar) {
                while let digit = peek, isDecimalDigit(digit) {
                    name.append(digit)
                    index += 1
                }
                return String(name)
            }
            if name.isEmpty, "@*#?-$!0".unicodeScalars.contains(scalar) {
                index += 1
                return String(scalar)
            }
            guard isLetter(scalar) || isDecimalDigit(scalar) || scalar == "_" else { break }
            name.append(scalar)
            index += 1
        }
        return String(name)
    }

    mutating func processDollar() throws(ShellExpansionError) -> String {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw ShellExpansionError("substitutions nested more than \(Self.maximumDepth) deep")
        }
        index += 1
        if peek != "{" {
            let name = processName()
            if name.isEmpty { return "$" }
            let value = environment(name)
            if value == nil, lexer.keepsUnsetVariables { return "$" + name }
            return value ?? ""
        }
        index += 1
        switch peek {
        case nil: throw ShellExpansionError("syntax error: missing '}'")
        case "{", "}", ":": throw ShellExpansionError("syntax error: bad substitution")
        default: break
        }
        let name = processName()
        let modifier = next()
        var modifierText = modifier.map { String($0) } ?? ""
        switch modifier {
        case "}":
            let value = environment(name)
            if value == nil, lexer.keepsUnsetVariables { return "${\(name)}" }
            return value ?? ""
        case ":", "+", "-", "?", "#", "%":
            var operation = modifier!
            let nullIsUnset = operation == ":"
            if nullIsUnset {
                guard let following = next() else {
                    throw ShellExpansionError("syntax error: missing '}'")
                }
                operation = following
                modifierText.unicodeScalars.append(following)
            }
            let patternLike = operation == "#" || operation == "%"
            if nullIsUnset, patternLike {
                throw ShellExpansionError("unsupported modifier (\(modifierText)) in substitution")
            }
            let word: String
            do throws(ShellExpansionError) {
                word = try processStop(on: ["}"], rawEscapes: patternLike).0
            } catch {
                if peek == nil { throw ShellExpansionError("syntax error: missing '}'") }
                throw error
            }
            let value = environment(name, handlesUnset: !patternLike)
            if value == nil, lexer.keepsUnsetVariables { return "${\(name)\(modifierText)\(word)}" }
            let isUnset = value == nil || (nullIsUnset && value == "")
            switch operation {
            case "-":
                return isUnset ? word : value!
            case "+":
                return isUnset ? "" : word
            case "?":
                if value == nil {
                    throw ShellExpansionError("\(name): \(word.isEmpty ? "is not allowed to be unset" : word)")
                }
                if nullIsUnset, value == "" {
                    throw ShellExpansionError("\(name): \(word.isEmpty ? "is not allowed to be empty" : word)")
                }
                return value!
            case "#", "%":
                var pattern = word
                let longest = pattern.unicodeScalars.first == operation
                if longest { pattern.unicodeScalars.removeFirst() }
                return try Self.trim(value ?? "", pattern: pattern, fromEnd: operation == "%", longest: longest)
            default:
                throw ShellExpansionError("unsupported modifier (\(modifierText)) in substitution")
            }
        case "/":
            let replaceAll = peek == "/"
            if replaceAll { index += 1 }
            let pattern: String
            do throws(ShellExpansionError) {
                pattern = try processStop(on: ["/"], rawEscapes: true).0
            } catch {
                if peek == nil { throw ShellExpansionError("syntax error: missing '/' in ${}") }
                throw error
            }
            let replacement: String
            do throws(ShellExpansionError) {
                replacement = try processStop(on: ["}"], rawEscapes: true).0
            } catch {
                if peek == nil { throw ShellExpansionError("syntax error: missing '}'") }
                throw error
            }
            let value = environment(name)
            if value == nil, lexer.keepsUnsetVariables { return "${\(name)/\(pattern)/\(replacement)}" }
            return try Self.replace(
                in: value ?? "", pattern: ShellPattern(pattern), with: replacement, all: replaceAll)
        default:
            throw ShellExpansionError("unsupported modifier (\(modifierText)) in substitution")
        }
    }

    /// `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}`.
    static func trim(_ value: String, pattern: String, fromEnd: Bool, longest: Bool) throws(ShellExpansionError)
        -> String
    {
        var compiled = try ShellPattern(pattern)
        var text = Array(value.unicodeScalars)
        if fromEnd {
            compiled = compiled.reversed
            text.reverse()
        }
        guard let length = compiled.prefixMatch(text, from: 0, longest: longest) else { return value }
        var rest = Array(text[length...])
        if fromEnd { rest.reverse() }
        return String(String.UnicodeScalarView(rest[...]))
    }

    /// `${v/p/r}` and `${v//p/r}`: leftmost, longest matches, as a greedy regular expression.
    static func replace(in value: String, pattern: ShellPattern, with replacement: String, all: Bool) -> String {
        let text = Array(value.unicodeScalars)
        var output = String.UnicodeScalarView()
        var searchPosition = 0
        var lastMatchEnd = 0
        var replaced = false
        while searchPosition <= text.count {
            var found: (start: Int, length: Int)?
            for start in searchPosition...text.count {
                if let length = pattern.prefixMatch(text, from: start, longest: true) {
                    found = (start, length)
                    break
                }
            }
            guard let match = found else { break }
            output.append(contentsOf: text[lastMatchEnd..<match.start])
            // An empty match right after another match is not replaced again (as Go does).
            if match.start + match.length > lastMatchEnd || match.start == 0 || !replaced {
                output.append(contentsOf: replacement.unicodeScalars)
            }
            replaced = true
            lastMatchEnd = match.start + match.length
            searchPosition = max(searchPosition + 1, lastMatchEnd)
            if match.length == 0, match.start >= searchPosition { searchPosition = match.start + 1 }
            if !all { break }
        }
        output.append(contentsOf: text[min(lastMatchEnd, text.count)...])
        return String(output)
    }
}

private func isDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.generalCategory == .decimalNumber
}

private func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
}
