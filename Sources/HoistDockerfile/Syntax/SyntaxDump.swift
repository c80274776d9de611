/// BuildKit's S-expression dump of the raw tree, used by its parser conformance files:
/// `(copy ["--from=a"] "src" "/dst")`, `(onbuild (run "echo" "test"))`.
extension SyntaxTree {
    /// Every instruction's dump, one a line.
    public func dump() -> String {
        nodes.map { "(" + $0.dump() + ")" }.joined(separator: "\n")
    }
}

extension SyntaxNode {
    /// The dump of one instruction without the outer parentheses.
    public func dump() -> String {
        var text = keyword.lowercased()
        if !flags.isEmpty {
            text += " [" + flags.map(goQuoted).joined(separator: " ") + "]"
        }
        for argument in arguments {
            switch argument {
            case .string(let value): text += " " + goQuoted(value)
            case .instruction(let child): text += " (" + child.dump() + ")"
            }
        }
        return text
    }
}

/// Quotes `text` the way Go's `strconv.Quote` does.
func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\u{07}": result += "\\a"
        case "\u{08}": result += "\\b"
        case "\u{0C}": result += "\\f"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case "\u{0B}": result += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\x" + hex(scalar.value, width: 2)
            } else if isGoPrintable(scalar) {
                result.unicodeScalars.append(scalar)
            } else if scalar.value < 0x10000 {
                result += "\\u" + hex(scalar.value, width: 4)
            } else {
                result += "\\U" + hex(scalar.value, width: 8)
            }
        }
    }
    return result + "\""
}

private func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
private func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
        .nonspacingMark, .spacingMark, .enclosingMark,
        .decimalNumber, .letterNumber, .otherNumber,
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
        .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}
