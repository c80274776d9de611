import Foundation

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %t %f %e %g %x %X %o %c %%`,
/// with the flags `-+# 0`, a width and a precision; Go's `%!verb(type=value)` for a mismatch
/// and `%!verb(MISSING)` / `%!(EXTRA …)` for a wrong number of operands.
enum GoFormat {
    private struct Spec {
        var minus = false, plus = false, sharp = false, zero = false, space = false
        var width: Int?
        var precision: Int?
    }

    static func sprintf(_ format: String, _ arguments: [TemplateValue]) -> String {
        var out = ""
        var used = 0
        let characters = Array(format)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            guard character == "%" else { out.append(character); continue }
            var spec = Spec()
            flags: while index < characters.count {
                switch characters[index] {
                case "-": spec.minus = true
                case "+": spec.plus = true
                case "#": spec.sharp = true
                case "0": spec.zero = true
                case " ": spec.space = true
                default: break flags
                }
                index += 1
            }
            spec.width = number(characters, &index)
            if index < characters.count, characters[index] == "." {
                index += 1
                spec.precision = number(characters, &index) ?? 0
            }
            guard index < characters.count else { out += "%!(NOVERB)"; break }
            let verb = characters[index]
            index += 1
            if verb == "%" { out += "%"; continue }
            guard used < arguments.count else { out += "%!\(verb)(MISSING)"; continue }
            let argument = arguments[used]
            used += 1
            out += pad(render(argument, verb, spec), spec, numeric: argument.isNumber)
        }
        if used < arguments.count {
            out += "%!(EXTRA " + arguments[used...].map { "\($0.typeName)=\($0.formatted)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func number(_ characters: [Character], _ index: inout Int) -> Int? {
        var digits = ""
        while index < characters.count, characters[index].isNumber { digits.append(characters[index]); index += 1 }
        return Int(digits)
    }

    private static func render(_ value: TemplateValue, _ verb: Character, _ spec: Spec) -> String {
        let bad = "%!\(verb)(\(value.typeName)=\(value.formatted))"
        switch (verb, value) {
        case ("v", _): return value.formatted
        case ("s", .string(let string)): return spec.precision.map { String(string.prefix($0)) } ?? string
        case ("s", .list), ("s", .map), ("s", .null): return value.formatted
        case ("q", .string(let string)): return TemplateValue.string(string).json
        case ("t", .bool(let flag)): return flag ? "true" : "false"
        case ("d", .int(let int)): return signed(String(abs(int)), negative: int < 0, spec)
        case ("c", .int(let int)): return Unicode.Scalar(UInt32(clamping: int)).map { String(Character($0)) } ?? "\u{FFFD}"
        case ("x", .int(let int)), ("X", .int(let int)), ("o", .int(let int)):
            var digits = String(abs(int), radix: verb == "o" ? 8 : 16, uppercase: verb == "X")
            if spec.sharp { digits = (verb == "o" ? "0" : verb == "X" ? "0X" : "0x") + digits }
            return signed(digits, negative: int < 0, spec)
        case ("x", .string(let string)), ("X", .string(let string)):
            return string.utf8.map { String(format: verb == "X" ? "%02X" : "%02x", $0) }.joined()
        case ("f", _), ("F", _), ("e", _), ("E", _), ("g", _), ("G", _):
            let double: Double
            switch value {
            case .double(let d): double = d
            default: return bad
            }
            let precision = spec.precision
            let text: String
            switch verb {
            case "f", "F": text = String(format: "%.\(precision ?? 6)f", abs(double))
            case "e", "E": text = String(format: "%.\(precision ?? 6)\(verb)", abs(double))
            default: text = precision.map { String(format: "%.\($0)\(verb)", abs(double)) } ?? GoFloat.shortest(abs(double))
            }
            return signed(text, negative: double < 0 || (double == 0 && double.sign == .minus), spec)
        default: return bad
        }
    }

    private static func signed(_ digits: String, negative: Bool, _ spec: Spec) -> String {
        (negative ? "-" : spec.plus ? "+" : spec.space ? " " : "") + digits
    }

    private static func pad(_ text: String, _ spec: Spec, numeric: Bool) -> String {
        guard let width = spec.width, text.count < width else { return text }
        let fill = width - text.count
        if spec.minus { return text + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            let sign = text.first.map { "+- ".contains($0) } == true ? String(text.first!) : ""
            return sign + String(repeating: "0", count: fill) + text.dropFirst(sign.count)
        }
        return String(repeating: " ", count: fill) + text
    }
}

extension TemplateValue {
    var isNumber: Bool {
        switch self {
        case .int, .double: true
        default: false
        }
    }
}
