import Foundation

/// Sizes as Docker's command line reads them (`--memory 64m`, `--shm-size 1g`): a whole or
/// decimal number with an optional binary unit `b`, `k`, `m`, `g`, `t`, `p` (any case, an optional
/// trailing `b` or `ib`: `64m`, `64mb`, `64MiB`).
public enum ByteSize {
    /// The number of bytes `text` names. Throws `invalidArgument` for anything else: negative
    /// numbers, unknown units, and values beyond `Int64.max`.
    public static func parse(_ text: String) throws -> Int64 {
        let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = lower.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        var unit = lower.dropFirst(digits.count)
        if unit.hasPrefix(" ") { unit = unit.dropFirst() }
        if unit.hasSuffix("ib") { unit = unit.dropLast(2) } else if unit.count == 2 && unit.hasSuffix("b") { unit = unit.dropLast() }
        let shifts: [Substring: Int] = ["": 0, "b": 0, "k": 10, "m": 20, "g": 30, "t": 40, "p": 50]
        guard !digits.isEmpty, let shift = shifts[unit], let number = Double(digits), number.isFinite, number >= 0 else {
            throw OCIError(.invalidArgument, "invalid size: '\(text)' (expected a size such as 64m or 1g)")
        }
        let bytes = number * Double(1 << shift)
        guard bytes < 9.2e18 else { throw OCIError(.invalidArgument, "invalid size: '\(text)' is too large") }
        return Int64(bytes)
    }
}
