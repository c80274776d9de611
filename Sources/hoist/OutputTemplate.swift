import Foundation

/// Go-template output as `docker … --format` takes it, for the parts people use: text with
/// `{{.Field}}` and `{{.Field.Sub}}` actions, `{{json .}}` / `{{json .Field}}`, `\t` and `\n`
/// escapes, and a `table ` prefix that adds a header row and aligns the columns. Fields are
/// looked up in the JSON object of each item.
struct OutputTemplate {
    private enum Piece {
        case text(String)
        case field(path: [String], json: Bool)
    }

    private let pieces: [Piece]
    /// Whether the output is a table with a header.
    let isTable: Bool

    /// Parses `format`; `ValidationError`-style messages for actions it does not support.
    init(_ format: String) throws {
        var text = format
        isTable = text.hasPrefix("table ")
        if isTable { text = String(text.dropFirst(6)) }
        text = text.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError("unclosed action in --format \"\(format)\"")
            }
            var action = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var json = false
            if action.hasPrefix("json ") {
                json = true
                action = action.dropFirst(5).trimmingCharacters(in: .whitespaces)
            }
            guard action.hasPrefix(".") else {
                throw TemplateError("--format supports {{.Field}} and {{json .Field}}, not {{\(action)}}")
            }
            pieces.append(.field(path: action.dropFirst().split(separator: ".").map(String.init), json: json))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    /// One line per item (each item a JSON object as `JSONSerialization` gives it); a table
    /// gets a header of the field names and aligned columns.
    func render(_ items: [Any]) -> String {
        let rows = items.map { item in pieces.map { render($0, item) } }
        guard isTable else { return rows.map { $0.joined() }.joined(separator: "\n") }
        let header = pieces.map { piece -> String in
            switch piece {
            case .text(let text): text
            case .field(let path, _): path.last.map(Self.headerName) ?? ""
            }
        }
        return Self.aligned([header] + rows)
    }

    private func render(_ piece: Piece, _ item: Any) -> String {
        switch piece {
        case .text(let text): return text
        case .field(let path, let json):
            var value: Any? = item
            for key in path { value = (value as? [String: Any])?[key] }
            if json {
                guard let value, JSONSerialization.isValidJSONObject([value]),
                    let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
                else { return "null" }
                return String(decoding: data, as: UTF8.self)
            }
            return Self.goString(value)
        }
    }

    /// A value as Go's template prints it: `[a b]` for a list, `map[k:v]` for a map.
    private static func goString(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "<no value>"
        case let string as String: string
        // JSONSerialization gives booleans as a distinct NSNumber subclass.
        case let number as NSNumber: "\(type(of: number))".contains("Boolean") ? (number.boolValue ? "true" : "false") : number.stringValue
        case let list as [Any]: "[" + list.map { goString($0) }.joined(separator: " ") + "]"
        case let map as [String: Any]: "map[" + map.keys.sorted().map { "\($0):\(goString(map[$0]))" }.joined(separator: " ") + "]"
        default: "\(value!)"
        }
    }

    /// `CreatedSince` → `CREATED SINCE`, as Docker heads its columns.
    private static func headerName(_ field: String) -> String {
        var words: [String] = []
        var current = ""
        for character in field {
            if character.isUppercase, let last = current.last, last.isLowercase {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        words.append(current)
        return words.joined(separator: " ").uppercased()
    }

    /// Tab-separated cells padded into columns three spaces apart.
    private static func aligned(_ rows: [[String]]) -> String {
        let split = rows.map { $0.joined().components(separatedBy: "\t") }
        let columns = split.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in split { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return split.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}

/// A `--format` template that cannot be used.
struct TemplateError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
