/// A small terminal emulator for checking what a program drew: the screen a stream of output
/// leaves, at a given width, with the cursor movements a redrawn view uses — line feed,
/// carriage return, wrap at the last column (deferred, as xterm does), `ESC[nA/B/C/D`,
/// `ESC[nE/F` (next/previous line), `ESC[J`/`ESC[K` (erase), colours ignored. Rows scroll into
/// an unbounded history, so the whole session stays readable.
public struct VirtualTerminal {
    public let width: Int
    private var rows: [[Character]] = [[]]
    private var row = 0
    private var column = 0
    private var wrapPending = false

    public init(width: Int) {
        self.width = width
    }

    /// The screen after `output`, its trailing blank rows dropped.
    public static func screen(of output: String, width: Int) -> [String] {
        var terminal = VirtualTerminal(width: width)
        terminal.feed(output)
        return terminal.lines
    }

    public var lines: [String] {
        var result = rows.map { String($0).replacingTrailingSpaces() }
        while result.last?.isEmpty == true { result.removeLast() }
        return result
    }

    public mutating func feed(_ output: String) {
        var scalars = Array(output.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\n":
                moveTo(row: row + 1, column: column)
            case "\r":
                column = 0
                wrapPending = false
            case "\u{08}":
                column = max(column - 1, 0)
                wrapPending = false
            case "\u{1B}":
                guard scalars.first == "[" else {
                    _ = scalars.popFirst()
                    continue
                }
                scalars.removeFirst()
                var parameters = ""
                while let next = scalars.first, !next.properties.isAlphabetic {
                    parameters.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
                guard let command = scalars.popFirst() else { return }
                control(command, parameters)
            default:
                guard scalar.value >= 0x20 else { continue }
                if wrapPending { moveTo(row: row + 1, column: 0) }
                put(Character(scalar))
                if column == width - 1 {
                    wrapPending = true
                } else {
                    column += 1
                }
            }
        }
    }

    private mutating func control(_ command: Unicode.Scalar, _ parameters: String) {
        let count = max(Int(parameters.split(separator: ";").first ?? "") ?? 1, 1)
        switch command {
        case "A": moveTo(row: max(row - count, 0), column: column)
        case "B": moveTo(row: row + count, column: column)
        case "C": moveTo(row: row, column: min(column + count, width - 1))
        case "D": moveTo(row: row, column: max(column - count, 0))
        case "E": moveTo(row: row + count, column: 0)
        case "F": moveTo(row: max(row - count, 0), column: 0)
        case "G": moveTo(row: row, column: min(max(count - 1, 0), width - 1))
        case "J":
            // 0 (default): from the cursor to the end of the screen.
            if parameters.isEmpty || parameters == "0" {
                rows[row] = Array(rows[row].prefix(column))
                rows.removeSubrange((row + 1)...)
            } else {
                rows = rows.map { _ in [] }
            }
        case "K":
            if parameters.isEmpty || parameters == "0" { rows[row] = Array(rows[row].prefix(column)) } else { rows[row] = [] }
        default:
            break  // colours (m) and anything else that does not move text
        }
    }

    private mutating func moveTo(row newRow: Int, column newColumn: Int) {
        row = newRow
        column = newColumn
        wrapPending = false
        while rows.count <= row { rows.append([]) }
    }

    private mutating func put(_ character: Character) {
        while rows[row].count < column { rows[row].append(" ") }
        if column < rows[row].count {
            rows[row][column] = character
        } else {
            rows[row].append(character)
        }
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
