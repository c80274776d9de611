import Foundation

/// Splits a template into text and actions, and an action into tokens, as Go's lexer does:
/// `{{- ` and ` -}}` trim the space beside them, `{{/* … */}}` is a comment, `}}` inside a
/// quoted string does not end an action.
struct TemplateLexer {
    /// A piece of the template: text, or an action's inside with where it starts.
    enum Item {
        case text(String)
        case action(String, TemplatePosition)
    }

    /// A token inside an action; `spaced` says whether space preceded it (a field chain right
    /// after `)` applies to the parenthesised result).
    struct Token {
        enum Kind: Equatable {
            case identifier(String)
            case dot
            case field([String])
            case variable(String, [String])
            case literal(TemplateValue)
            case leftParen, rightParen, pipe, declare, assign, comma
        }
        let kind: Kind
        let spaced: Bool
    }

    static func items(_ source: String) throws(TemplateError) -> [Item] {
        let characters = Array(source)
        var items: [Item] = []
        var text = ""
        var index = 0
        var line = 1
        var column = 1
        func advance(_ count: Int) {
            for _ in 0..<count {
                if characters[index] == "\n" { line += 1; column = 1 } else { column += 1 }
                index += 1
            }
        }
        func starts(_ literal: String, at position: Int) -> Bool {
            let pattern = Array(literal)
            guard position + pattern.count <= characters.count else { return false }
            return Array(characters[position..<position + pattern.count]) == pattern
        }
        while index < characters.count {
            guard starts("{{", at: index) else {
                text.append(characters[index])
                advance(1)
                continue
            }
            let position = (line, column)
            advance(2)
            var trimmedBefore = false
            if index + 1 < characters.count, characters[index] == "-", characters[index + 1].isTemplateSpace {
                while text.last?.isTemplateSpace == true { text.removeLast() }
                advance(1)
                trimmedBefore = true
            }
            if !text.isEmpty { items.append(.text(text)) }
            text = ""
            // Find the closing delimiter outside quotes.
            var inside = ""
            var quote: Character?
            var closed = false
            var trimAfter = false
            while index < characters.count {
                let character = characters[index]
                if let open = quote {
                    inside.append(character)
                    if character == "\\" && open != "`" && index + 1 < characters.count {
                        advance(1)
                        inside.append(characters[index])
                    } else if character == open {
                        quote = nil
                    }
                    advance(1)
                    continue
                }
                if character == "\"" || character == "`" || character == "'" {
                    quote = character
                } else if character.isTemplateSpace, starts("-}}", at: index + 1) {
                    trimAfter = true
                    advance(4)
                    closed = true
                    break
                } else if starts("}}", at: index) {
                    advance(2)
                    closed = true
                    break
                }
                inside.append(character)
                advance(1)
            }
            guard closed else {
                throw TemplateError(stage: .parsing, line: position.0, column: position.1, action: nil,
                    reason: quote == nil ? "unclosed action" : "unterminated quoted string")
            }
            if trimAfter {
                while index < characters.count, characters[index].isTemplateSpace { advance(1) }
            }
            let trimmed = inside.trimmingTemplateSpace
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else {
                    throw TemplateError(stage: .parsing, line: position.0, column: position.1, action: nil, reason: "unclosed comment")
                }
                continue
            }
            // Go's messages give the 0-based byte column of the action's first operand.
            let leading = inside.prefix { $0.isTemplateSpace }.count
            let column = position.1 - 1 + 2 + (trimmedBefore ? 1 : 0) + leading
            items.append(.action(inside, TemplatePosition(line: position.0, column: column, text: trimmed)))
        }
        if !text.isEmpty { items.append(.text(text)) }
        return items
    }

    static func tokens(_ action: String, at position: TemplatePosition) throws(TemplateError) -> [Token] {
        let characters = Array(action)
        var tokens: [Token] = []
        var index = 0
        func fail(_ reason: String) -> TemplateError {
            TemplateError(stage: .parsing, line: position.line, column: position.column, action: nil, reason: reason)
        }
        func word(from start: Int) -> (String, Int) {
            var end = start
            while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
            return (String(characters[start..<end]), end)
        }
        /// `.A.B` starting at `start` (a dot): the names and where the chain ends.
        func chain(from start: Int) -> ([String], Int) {
            var names: [String] = []
            var at = start
            while at < characters.count, characters[at] == ".", at + 1 < characters.count,
                characters[at + 1].isLetter || characters[at + 1] == "_"
            {
                let (name, end) = word(from: at + 1)
                names.append(name)
                at = end
            }
            return (names, at)
        }
        var spaced = true
        while index < characters.count {
            let character = characters[index]
            if character.isTemplateSpace {
                spaced = true
                index += 1
                continue
            }
            func add(_ kind: Token.Kind) { tokens.append(Token(kind: kind, spaced: spaced)) }
            switch character {
            case "(": add(.leftParen); index += 1
            case ")": add(.rightParen); index += 1
            case "|": add(.pipe); index += 1
            case ",": add(.comma); index += 1
            case "=": add(.assign); index += 1
            case ":":
                guard index + 1 < characters.count, characters[index + 1] == "=" else { throw fail("expected :=") }
                add(.declare)
                index += 2
            case "$":
                let (name, end) = word(from: index + 1)
                let (names, after) = chain(from: end)
                add(.variable("$" + name, names))
                index = after
            case ".":
                if index + 1 < characters.count, characters[index + 1].isNumber {
                    let (value, end) = try number(characters, from: index, fail: fail)
                    add(.literal(value))
                    index = end
                } else {
                    let (names, end) = chain(from: index)
                    add(names.isEmpty ? .dot : .field(names))
                    index = names.isEmpty ? index + 1 : end
                }
            case "\"", "`":
                let (string, end) = try quoted(characters, from: index, fail: fail)
                add(.literal(.string(string)))
                index = end
            case "'":
                let (string, end) = try quoted(characters, from: index, fail: fail)
                guard let scalar = string.unicodeScalars.first, string.unicodeScalars.count == 1 else { throw fail("malformed character constant") }
                add(.literal(.int(Int(scalar.value))))
                index = end
            default:
                if character.isNumber || ((character == "-" || character == "+") && index + 1 < characters.count
                    && (characters[index + 1].isNumber || characters[index + 1] == "."))
                {
                    let (value, end) = try number(characters, from: index, fail: fail)
                    add(.literal(value))
                    index = end
                } else if character.isLetter || character == "_" {
                    let (name, end) = word(from: index)
                    add(.identifier(name))
                    index = end
                } else {
                    throw fail("unexpected \"\(character)\" in command")
                }
            }
            spaced = false
        }
        return tokens
    }

    private static func number(_ characters: [Character], from start: Int, fail: (String) -> TemplateError) throws(TemplateError) -> (TemplateValue, Int) {
        var end = start
        while end < characters.count, characters[end].isLetter || characters[end].isNumber || "+-._".contains(characters[end]) {
            // A sign inside a number only after an exponent marker.
            if end > start, "+-".contains(characters[end]), !"eEpP".contains(characters[end - 1]) { break }
            end += 1
        }
        let text = String(characters[start..<end]).replacingOccurrences(of: "_", with: "")
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        let lower = digits.lowercased()
        if lower.hasPrefix("0x"), let value = Int(lower.dropFirst(2), radix: 16) { return (.int(negative ? -value : value), end) }
        if lower.hasPrefix("0o"), let value = Int(lower.dropFirst(2), radix: 8) { return (.int(negative ? -value : value), end) }
        if lower.hasPrefix("0b"), let value = Int(lower.dropFirst(2), radix: 2) { return (.int(negative ? -value : value), end) }
        if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy(\.isNumber), let value = Int(lower, radix: 8) {
            return (.int(negative ? -value : value), end)
        }
        if let value = Int(digits) { return (.int(negative ? -value : value), end) }
        if let value = Double(digits) { return (.double(negative ? -value : value), end) }
        throw fail("bad number syntax: \"\(text)\"")
    }

    private static func quoted(_ characters: [Character], from start: Int, fail: (String) -> TemplateError) throws(TemplateError) -> (String, Int) {
        let quote = characters[start]
        var index = start + 1
        var result = ""
        while index < characters.count {
            let character = characters[index]
            if character == quote { return (result, index + 1) }
            if character == "\\" && quote != "`" {
                index += 1
                guard index < characters.count else { break }
                switch characters[index] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "a": result.append("\u{07}")
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "v": result.append("\u{0B}")
                case "\\", "\"", "'": result.append(characters[index])
                case "x", "u", "U":
                    let count = characters[index] == "x" ? 2 : characters[index] == "u" ? 4 : 8
                    guard index + count < characters.count,
                        let value = UInt32(String(characters[index + 1...index + count]), radix: 16),
                        let scalar = Unicode.Scalar(value)
                    else { throw fail("invalid escape in string") }
                    result.unicodeScalars.append(scalar)
                    index += count
                default: throw fail("unknown escape sequence \\\(characters[index])")
                }
                index += 1
                continue
            }
            if character == "\n" && quote != "`" { break }
            result.append(character)
            index += 1
        }
        throw fail("unterminated quoted string")
    }
}

extension Character {
    /// Space as Go's template lexer trims it.
    var isTemplateSpace: Bool { self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\r\n" }
}

extension StringProtocol {
    var trimmingTemplateSpace: String {
        var slice = Substring(self)
        while slice.first?.isTemplateSpace == true { slice.removeFirst() }
        while slice.last?.isTemplateSpace == true { slice.removeLast() }
        return String(slice)
    }
}
