import Foundation

/// The data a template walks: what a JSON document holds, as Go's `text/template` sees values
/// decoded from JSON, with integers kept apart from fractions so they print as Go prints ints.
public enum TemplateValue: Sendable, Equatable {
    /// Go's nil interface: prints as `<no value>` at the top level, `<nil>` inside a list or map.
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([TemplateValue])
    /// A map; ranged over and printed in sorted key order, as Go does.
    case map([String: TemplateValue])

    /// A value from what `JSONSerialization` returns (dictionaries, arrays, strings, numbers,
    /// `NSNull`); anything else becomes its description.
    public init(json: Any?) {
        switch json {
        case nil, is NSNull: self = .null
        case let string as String: self = .string(string)
        case let number as NSNumber:
            // JSONSerialization gives booleans as a distinct NSNumber subclass.
            if "\(type(of: number))".contains("Boolean") {
                self = .bool(number.boolValue)
            } else if let int = Int(exactly: number.doubleValue), !String(cString: number.objCType).contains(where: { "fd".contains($0) }) {
                self = .int(int)
            } else {
                self = .double(number.doubleValue)
            }
        case let list as [Any]: self = .list(list.map { TemplateValue(json: $0) })
        case let map as [String: Any]: self = .map(map.mapValues { TemplateValue(json: $0) })
        default: self = .string("\(json!)")
        }
    }

    /// A value from the JSON text of an `Encodable` value.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self.init(json: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// Go's truth: false, zero, nil and empty strings, lists and maps are false.
    public var isTrue: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .int(let value): value != 0
        case .double(let value): value != 0
        case .string(let value): !value.isEmpty
        case .list(let value): !value.isEmpty
        case .map(let value): !value.isEmpty
        }
    }

    /// The name Go's messages give this kind of value.
    var typeName: String {
        switch self {
        case .null: "nil"
        case .bool: "bool"
        case .int: "int"
        case .double: "float64"
        case .string: "string"
        case .list: "[]interface {}"
        case .map: "map[string]interface {}"
        }
    }

    /// The text `{{.}}` prints: Go's `%v` (`[a b]` for a list, `map[k:v]` for a map).
    public var printed: String {
        if case .null = self { return "<no value>" }
        return formatted
    }

    /// Go's `%v` inside a composite value (nil as `<nil>`).
    var formatted: String {
        switch self {
        case .null: "<nil>"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): GoFloat.shortest(value)
        case .string(let value): value
        case .list(let values): "[" + values.map(\.formatted).joined(separator: " ") + "]"
        case .map(let map): "map[" + map.keys.sorted().map { "\($0):\(map[$0]!.formatted)" }.joined(separator: " ") + "]"
        }
    }

    /// JSON text as Go's encoder writes it with HTML escaping off (Docker's `json` function):
    /// compact, map keys sorted.
    public var json: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    private func writeJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += GoFloat.json(value)
        case .string(let value): Self.writeJSONString(value, to: &out)
        case .list(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.writeJSON(to: &out)
            }
            out += "]"
        case .map(let map):
            out += "{"
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.writeJSONString(key, to: &out)
                out += ":"
                map[key]!.writeJSON(to: &out)
            }
            out += "}"
        }
    }

    private static func writeJSONString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(format: "%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// Floats printed as Go prints a float64.
enum GoFloat {
    /// `%v`: the shortest digits that round-trip, in `%e` form when the exponent is below -4
    /// or at least 6 (Go's `%g` rule at the shortest precision: `1e+06`, `123456`).
    static func shortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        let (negative, digits, exponent) = decompose(value)
        let sign = negative ? "-" : ""
        if exponent < -4 || exponent >= 6 { return sign + scientific(digits, exponent, twoDigitExponent: true) }
        return sign + plain(digits, exponent)
    }

    /// JSON as Go's encoder writes a float64: plain from 1e-6 up to 1e21, else `1e+21`, `1e-7`.
    static func json(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let (negative, digits, exponent) = decompose(value)
        let sign = negative ? "-" : ""
        if value != 0 && (exponent >= 21 || exponent < -6) { return sign + scientific(digits, exponent, twoDigitExponent: false) }
        return sign + plain(digits, exponent)
    }

    private static func scientific(_ digits: String, _ exponent: Int, twoDigitExponent: Bool) -> String {
        var mantissa = String(digits.first!)
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let magnitude = abs(exponent)
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (twoDigitExponent && magnitude < 10 ? "0" : "") + String(magnitude)
    }

    /// The decimal digits (no leading or trailing zeros) and the exponent of the first digit.
    private static func decompose(_ value: Double) -> (negative: Bool, digits: String, exponent: Int) {
        if value == 0 { return (value.sign == .minus, "0", 0) }
        var text = abs(value).description  // the shortest round-trip digits
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = whole + fraction
        var pointAfter = whole.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            pointAfter -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return (value < 0, digits, pointAfter - 1)
    }

    private static func plain(_ digits: String, _ exponent: Int) -> String {
        if exponent < 0 { return "0." + String(repeating: "0", count: -exponent - 1) + digits }
        if digits.count <= exponent + 1 { return digits + String(repeating: "0", count: exponent + 1 - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
        return digits[..<split] + "." + digits[split...]
    }
}
