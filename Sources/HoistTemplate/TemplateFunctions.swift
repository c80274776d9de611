import Foundation

/// The functions a template can call: Go's builtins and those Docker's CLI adds.
enum TemplateFunctions {
    /// Why a call failed (Go's `error calling NAME: …` gives the rest).
    struct Failure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static let names = [
        // Go's text/template builtins (`call` needs Go functions, which data here never holds).
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println",
        "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery",
        // Docker's CLI (cli/templates).
        "json", "split", "join", "title", "lower", "upper", "pad", "truncate",
    ]

    /// Docker's header functions: in a table header, its own functions give their first
    /// argument unchanged. Nil for the functions that behave as usual.
    static func header(_ name: String, _ arguments: [TemplateValue]) -> TemplateValue? {
        guard ["json", "split", "join", "title", "lower", "upper", "pad", "truncate"].contains(name) else { return nil }
        return arguments.first ?? .string("")
    }

    static func call(_ name: String, _ arguments: [TemplateValue]) throws(Failure) -> TemplateValue {
        func count(_ expected: Int) throws(Failure) {
            guard arguments.count == expected else { throw Failure("wrong number of args for \(name): want \(expected) got \(arguments.count)") }
        }
        switch name {
        case "not":
            try count(1)
            return .bool(!arguments[0].isTrue)
        case "len":
            try count(1)
            switch arguments[0] {
            case .string(let string): return .int(string.utf8.count)
            case .list(let list): return .int(list.count)
            case .map(let map): return .int(map.count)
            default: throw Failure("len of type \(arguments[0].typeName)")
            }
        case "index":
            guard var value = arguments.first else { throw Failure("wrong number of args for index: want at least 1 got 0") }
            for key in arguments.dropFirst() {
                switch (value, key) {
                case (.list(let list), .int(let position)):
                    guard position >= 0, position < list.count else { throw Failure("index out of range: \(position)") }
                    value = list[position]
                case (.string(let string), .int(let position)):
                    let bytes = Array(string.utf8)
                    guard position >= 0, position < bytes.count else { throw Failure("index out of range: \(position)") }
                    value = .int(Int(bytes[position]))
                case (.map(let map), .string(let name)): value = map[name] ?? .null
                case (.null, _): throw Failure("index of untyped nil")
                default: throw Failure("cannot index \(value.typeName) with \(key.typeName)")
                }
            }
            return value
        case "slice":
            guard let value = arguments.first, arguments.count <= 3 else { throw Failure("wrong number of args for slice") }
            var bounds: [Int] = []
            for argument in arguments.dropFirst() {
                guard case .int(let bound) = argument else { throw Failure("cannot index slice/array with type \(argument.typeName)") }
                bounds.append(bound)
            }
            switch value {
            case .string(let string):
                let bytes = Array(string.utf8)
                let (low, high) = (bounds.first ?? 0, bounds.count > 1 ? bounds[1] : bytes.count)
                guard 0 <= low, low <= high, high <= bytes.count else { throw Failure("index out of range: \(high)") }
                return .string(String(decoding: bytes[low..<high], as: UTF8.self))
            case .list(let list):
                let (low, high) = (bounds.first ?? 0, bounds.count > 1 ? bounds[1] : list.count)
                guard 0 <= low, low <= high, high <= list.count else { throw Failure("index out of range: \(high)") }
                return .list(Array(list[low..<high]))
            default: throw Failure("can't slice item of type \(value.typeName)")
            }
        case "print": return .string(sprint(arguments))
        case "println": return .string(arguments.map(\.formatted).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = arguments.first else { throw Failure("wrong type for value; expected string") }
            return .string(GoFormat.sprintf(format, Array(arguments.dropFirst())))
        case "eq":
            guard arguments.count >= 2 else { throw Failure("missing argument for comparison") }
            for other in arguments.dropFirst() where try compare(arguments[0], other) == 0 { return .bool(true) }
            return .bool(false)
        case "ne", "lt", "le", "gt", "ge":
            try count(2)
            if name == "ne" { return .bool(try compare(arguments[0], arguments[1]) != 0) }
            guard let order = try compare(arguments[0], arguments[1], ordered: true) else { throw Failure("invalid type for comparison") }
            switch name {
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "html": return .string(escapeHTML(sprint(arguments)))
        case "js": return .string(escapeJS(sprint(arguments)))
        case "urlquery":
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-_.~")
            let text = sprint(arguments)
            return .string(text.addingPercentEncoding(withAllowedCharacters: allowed)?.replacingOccurrences(of: "%20", with: "+") ?? text)
        case "json":
            try count(1)
            return .string(arguments[0].json)
        case "split":
            try count(2)
            let (string, separator) = (try text(arguments[0]), try text(arguments[1]))
            if separator.isEmpty { return .list(string.map { .string(String($0)) }) }
            return .list(string.components(separatedBy: separator).map { .string($0) })
        case "join":
            try count(2)
            guard case .list(let list) = arguments[0] else { throw Failure("wrong type for value; expected []string; got \(arguments[0].typeName)") }
            return .string(list.map(\.formatted).joined(separator: try text(arguments[1])))
        case "title":
            try count(1)
            return .string(title(try text(arguments[0])))
        case "lower":
            try count(1)
            return .string(try text(arguments[0]).lowercased())
        case "upper":
            try count(1)
            return .string(try text(arguments[0]).uppercased())
        case "pad":
            try count(3)
            guard case .int(let prefix) = arguments[1], case .int(let suffix) = arguments[2] else { throw Failure("wrong type for value; expected int") }
            return .string(String(repeating: " ", count: max(prefix, 0)) + (try text(arguments[0])) + String(repeating: " ", count: max(suffix, 0)))
        case "truncate":
            try count(2)
            guard case .int(let length) = arguments[1] else { throw Failure("wrong type for value; expected int") }
            let string = try text(arguments[0])
            return .string(string.utf8.count < length ? string : String(decoding: Array(string.utf8).prefix(max(length, 0)), as: UTF8.self))
        default:
            throw Failure("function \"\(name)\" not defined")
        }
    }

    /// Go's `fmt.Sprint`: a space between operands when neither is a string.
    private static func sprint(_ arguments: [TemplateValue]) -> String {
        var out = ""
        for (index, argument) in arguments.enumerated() {
            if index > 0, !argument.isString, !arguments[index - 1].isString { out += " " }
            out += argument.formatted
        }
        return out
    }

    private static func text(_ value: TemplateValue) throws(Failure) -> String {
        guard case .string(let string) = value else { throw Failure("wrong type for value; expected string; got \(value.typeName)") }
        return string
    }

    /// -1, 0 or 1 (nil when `ordered` and the values are equal-comparable only).
    private static func compare(_ left: TemplateValue, _ right: TemplateValue, ordered: Bool = false) throws(Failure) -> Int? {
        switch (left, right) {
        case (.int(let a), .int(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.double(let a), .double(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.int(let a), .double(let b)): return Double(a) < b ? -1 : Double(a) == b ? 0 : 1
        case (.double(let a), .int(let b)): return a < Double(b) ? -1 : a == Double(b) ? 0 : 1
        case (.string(let a), .string(let b)): return a < b ? -1 : a == b ? 0 : 1
        case (.bool(let a), .bool(let b)):
            if ordered { return nil }
            return a == b ? 0 : 1
        case (.null, .null) where !ordered: return 0
        default: throw Failure("incompatible types for comparison")
        }
    }

    /// Go's `strings.Title`: the first letter of each word upper-cased.
    private static func title(_ string: String) -> String {
        var out = ""
        var previousIsSeparator = true
        for character in string {
            out += previousIsSeparator ? character.uppercased() : String(character)
            previousIsSeparator = !(character.isLetter || character.isNumber || character == "_")
        }
        return out
    }

    private static func escapeHTML(_ string: String) -> String {
        var out = ""
        for character in string {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&#39;"
            case "\"": out += "&#34;"
            case "\0": out += "\u{FFFD}"
            default: out.append(character)
            }
        }
        return out
    }

    private static func escapeJS(_ string: String) -> String {
        var out = ""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}

extension TemplateValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
