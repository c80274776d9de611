#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// Lines of a view redrawn in place on a terminal: cut to its width, never wrapped (a wrapped
/// line makes the next redraw move up too little and leave a stale frame behind), with what a
/// step's output may hold that would move the cursor taken out.
enum TerminalLine {
    static let blue = "\u{1B}[34m"
    static let red = "\u{1B}[31m"
    static let magenta = "\u{1B}[35m"
    static let reset = "\u{1B}[0m"

    /// The terminal's columns (`TIOCGWINSZ` on `descriptor`), else `$COLUMNS`, else 80.
    static func width(of descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }

    /// `left` and `right` on one line of at most `width - 1` columns (the last column is left
    /// free: writing there makes some terminals wrap), `right` flush right, `left` cut with `…`.
    static func fit(_ left: String, right: String = "", width: Int) -> String {
        let room = max(width - 1, 1)
        if right.isEmpty { return cut(left, to: room) }
        let leftRoom = room - right.count - 1
        guard leftRoom > 1 else { return cut(left, to: room) }
        let shown = cut(left, to: leftRoom)
        return shown + String(repeating: " ", count: leftRoom - shown.count + 1) + right
    }

    private static func cut(_ text: String, to columns: Int) -> String {
        text.count <= columns ? text : String(text.prefix(max(columns - 1, 0))) + "…"
    }

    /// A line of a step's output as the view can show it: what follows its last carriage
    /// return (a progress bar's latest state), escape sequences and other control characters
    /// removed, tabs as spaces.
    static func printable(_ line: Substring) -> String {
        let latest = line.split(separator: "\r", omittingEmptySubsequences: false).last(where: { !$0.isEmpty }) ?? ""
        var out = ""
        var escape = false
        for scalar in latest.unicodeScalars {
            if escape {
                // A CSI sequence ends with a letter; a lone ESC with the next character.
                if scalar.properties.isAlphabetic || scalar == "~" { escape = false }
                continue
            }
            switch scalar {
            case "\u{1B}": escape = true
            case "\t": out += " "
            default:
                if scalar.value >= 0x20 && scalar.value != 0x7F { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
