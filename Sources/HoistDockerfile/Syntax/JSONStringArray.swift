/// The outcome of reading an instruction's arguments as a JSON array (exec form).
enum JSONArrayReading: Equatable {
    /// A valid JSON array whose elements are all strings.
    case strings([String])
    /// Valid JSON array, but an element is not a string: an error, not a fallback to shell form.
    case notAllStrings
    /// Not valid JSON (or not an array): the caller falls back to shell form.
    case invalid
}

/// A strict JSON reader with the same acceptance as Go's `encoding/json`, just enough to decide
/// exec form versus shell form.
struct JSONStringArrayReader {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    /// Open arrays and objects, bounded (more tightly than Go's 10,000) so that hostile input
    /// cannot exhaust a thread's stack; deeper text is simply not exec form.
    private var depth = 0
    private static let maximumDepth = 256

    /// Reads `text` (left-trimmed by the caller or not) as an array of strings.
    static func read(_ text: String) -> JSONArrayReading {
        let trimmed = text.unicodeScalars.drop(while: isUnicodeSpace)
        guard trimmed.first == "[" else { return .invalid }
        var reader = JSONStringArrayReader(scalars: Array(trimmed))
        guard let value = reader.readDocument() else { return .invalid }
        guard case .array(let elements) = value else { return .invalid }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element else { return .notAllStrings }
            strings.append(string)
        }
        return .strings(strings)
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private enum Value {
        case string(String)
        case array([Value])
        case other
    }

    private mutating func readDocument() -> Value? {
        guard let value = readValue() else { return nil }
        skipWhitespace()
        return index == scalars.count ? value : nil
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipWhitespace() {
        while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            index += 1
        }
    }

    private mutating func readValue() -> Value? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { return nil }
        skipWhitespace()
        switch current {
        case "[": return readArray()
        case "{": return readObject() ? .other : nil
        case "\"": return readString().map(Value.string)
        case "t": return readLiteral("true") ? .other : nil
        case "f": return readLiteral("false") ? .other : nil
        case "n": return readLiteral("null") ? .other : nil
        case let scalar? where scalar == "-" || ("0"..."9").contains(scalar):
            return readNumber() ? .other : nil
        default: return nil
        }
    }

    private mutating func readArray() -> Value? {
        index += 1
        var elements: [Value] = []
        skipWhitespace()
        if current == "]" {
            index += 1
            return .array(elements)
        }
        while true {
            guard let element = readValue() else { return nil }
            elements.append(element)
            skipWhitespace()
            switch current {
            case ",": index += 1
            case "]":
                index += 1
                return .array(elements)
            default: return nil
            }
        }
    }

    private mutating func readObject() -> Bool {
        index += 1
        skipWhitespace()
        if current == "}" {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard current == "\"", readString() != nil else { return false }
            skipWhitespace()
            guard current == ":" else { return false }
            index += 1
            guard readValue() != nil else { return false }
            skipWhitespace()
            switch current {
            case ",": index += 1
            case "}":
                index += 1
                return true
            default: return false
            }
        }
    }

    private mutating func readLiteral(_ word: String) -> Bool {
        for expected in word.unicodeScalars {
            guard current == expected else { return false }
            index += 1
        }
        return true
    }

    private mutating func readDigits() -> Int {
        var count = 0
        while let scalar = current, ("0"..."9").contains(scalar) {
            index += 1
            count += 1
        }
        return count
    }

    private mutating func readNumber() -> Bool {
        if current == "-" { index += 1 }
        if current == "0" {
            index += 1
        } else if readDigits() == 0 {
            return false
        }
        if current == "." {
            index += 1
            guard readDigits() > 0 else { return false }
        }
        if current == "e" || current == "E" {
            index += 1
            if current == "+" || current == "-" { index += 1 }
            guard readDigits() > 0 else { return false }
        }
        return true
    }

    private mutating func readHex4() -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = current, scalar.isASCII, let digit = Character(scalar).hexDigitValue else {
                return nil
            }
            value = value * 16 + UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func readString() -> String? {
        index += 1
        var result = String.UnicodeScalarView()
        while let scalar = current {
            index += 1
            switch scalar {
            case "\"":
                return String(result)
            case "\\":
                guard let escaped = current else { return nil }
                index += 1
                switch escaped {
                case "\"", "\\", "/": result.append(escaped)
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u":
                    guard let unit = readHex4() else { return nil }
                    result.append(decodeUTF16(unit))
                default: return nil
                }
            default:
                guard scalar.value >= 0x20 else { return nil }
                result.append(scalar)
            }
        }
        return nil
    }

    /// Joins a surrogate pair when the next escape completes it; a lone surrogate becomes U+FFFD.
    private mutating func decodeUTF16(_ unit: UInt32) -> Unicode.Scalar {
        if (0xD800..<0xDC00).contains(unit) {
            let save = index
            if current == "\\" {
                index += 1
                if current == "u" {
                    index += 1
                    if let low = readHex4(), (0xDC00..<0xE000).contains(low) {
                        let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        return Unicode.Scalar(value) ?? "\u{FFFD}"
                    }
                }
            }
            index = save
            return "\u{FFFD}"
        }
        return Unicode.Scalar(unit) ?? "\u{FFFD}"
    }
}
