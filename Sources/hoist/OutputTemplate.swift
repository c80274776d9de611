import Foundation
import HoistTemplate

/// A `--format` template as Docker's CLI takes it: a Go template (``GoTemplate``, one engine
/// for every command), `\t` and `\n` written as escapes, and a `table` prefix that adds a header
/// row and aligns the columns as Docker's tabwriter does.
struct OutputTemplate {
    private let template: GoTemplate
    /// Whether the output is a table with a header.
    let isTable: Bool

    /// A listing's template (`ps`, `images`, `history`), as Docker's formatter takes it: a
    /// `table` prefix, `\t` and `\n` written as escapes, a key the item lacks printed `<no value>`.
    init(listing format: String) throws {
        var text = format
        isTable = text.hasPrefix("table")
        if isTable { text = String(text.dropFirst(5)) }
        text = text.trimmingCharacters(in: .init(charactersIn: " "))
            .replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
        template = try GoTemplate(text, missingKey: .zero)
    }

    /// An object's template (`inspect`, `version`), as Docker takes it: the text as written
    /// (no table, no escapes), a key the object lacks an error.
    init(inspecting format: String) throws {
        isTable = false
        template = try GoTemplate(format, missingKey: .error)
    }

    /// Docker's exit status for a failure of an object's template: 64 when it does not parse
    /// (`Template parsing error`), 1 when it fails on the object.
    static func inspectStatus(_ error: any Error) -> Int32 {
        (error as? TemplateError)?.stage == .parsing ? 64 : 1
    }

    /// One rendering per item, each ended by a newline as Docker writes them (each item a JSON
    /// object as `JSONSerialization` gives it); a table gets a header and aligned columns.
    /// `headers` names columns whose header is not the field name in capitals split at words.
    func render(_ items: [Any], headers: [String: String] = [:]) throws -> String {
        var lines: [String] = []
        if isTable { lines.append(try template.renderHeader { headers[$0] ?? Self.headerName($0) }) }
        for item in items { lines.append(try template.render(TemplateValue(json: item))) }
        let text = lines.map { $0 + "\n" }.joined()
        return isTable ? Self.aligned(text) : text
    }

    /// `CreatedSince` → `CREATED SINCE`, as Docker heads its columns.
    static func headerName(_ field: String) -> String {
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

    /// Tab-terminated cells padded as Docker's `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`:
    /// each column as wide as its widest cell plus 3, at least `minimumWidth` (10; `docker top`
    /// uses 20); a line's last cell unpadded.
    static func aligned(_ text: String, minimumWidth: Int = 10) -> String {
        var lines = text.components(separatedBy: "\n")
        let trailing = lines.last == ""
        if trailing { lines.removeLast() }
        let cells = lines.map { $0.components(separatedBy: "\t") }
        var widths: [Int] = []
        for row in cells {
            for (index, cell) in row.dropLast().enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count + 3, minimumWidth)
            }
        }
        let out = cells.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
        return trailing ? out + "\n" : out
    }
}
