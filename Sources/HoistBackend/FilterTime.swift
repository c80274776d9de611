package import Foundation

/// The moment an `until`-style filter value names, read as Docker reads it:
///
/// - a Go duration back from now: `24h`, `90m`, `10s`, `1h30m`, `1.5h`, `300ms` (`-1h` is an
///   hour ahead);
/// - unix seconds, with an optional fraction: `1700000000`, `1700000000.5` (`0` is the epoch,
///   not a zero duration, as in Docker);
/// - an RFC 3339 date and time or a shortened one: `2024-05-01`, `2024-05-01T10`,
///   `2024-05-01T10:30`, `2024-05-01T10:30:00Z`, `2024-05-01T10:30:00.25+02:00`; a value without
///   a zone is local time.
package enum FilterTime {
    /// The moment `text` names, relative to `now` for a duration and in `timeZone` when it names
    /// no zone.
    ///
    /// - Throws: ``ClientError`` `invalidArgument` when `text` is none of the forms above.
    package static func parse(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) throws -> Date {
        if text != "0", let seconds = duration(text) { return now.addingTimeInterval(-seconds) }
        if let date = unixTime(text) ?? dateTime(text, timeZone: timeZone) { return date }
        throw ClientError(.invalidArgument, "failed to parse value as time or duration: \"\(text)\"")
    }

    /// Seconds in a Go duration (`[-+]` then number-unit pairs such as `1h30m`; `0` alone), or nil.
    package static func duration(_ text: String) -> TimeInterval? {
        let units: [String: TimeInterval] = [
            "ns": 1e-9, "us": 1e-6, "\u{B5}s": 1e-6, "\u{3BC}s": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
        ]
        var rest = Substring(text)
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction = Substring()
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty, let number = Double("0\(whole).\(fraction)0") else { return nil }
            let unit = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "." }
            rest = rest.dropFirst(unit.count)
            guard let scale = units[String(unit)] else { return nil }
            total += number * scale
        }
        return sign * total
    }

    /// `seconds[.fraction]` since the epoch, or nil.
    package static func unixTime(_ text: String) -> Date? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let seconds = Double(text)
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// `YYYY-MM-DD`, then optionally `Thh`, `Thh:mm` or `Thh:mm:ss[.fraction]`, then optionally
    /// `Z` or `±hh:mm`; local to `timeZone` without a zone. Nil when malformed or out of range.
    package static func dateTime(_ text: String, timeZone: TimeZone) -> Date? {
        var scanner = DigitScanner(text)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        if scanner.skip("T") || scanner.skip("t") {
            guard let value = scanner.number(digits: 2) else { return nil }
            hour = value
            if scanner.skip(":") {
                guard let value = scanner.number(digits: 2) else { return nil }
                minute = value
                if scanner.skip(":") {
                    guard let value = scanner.number(digits: 2) else { return nil }
                    second = value
                    if scanner.skip(".") {
                        guard let value = scanner.fraction() else { return nil }
                        fraction = value
                    }
                }
            }
        }
        var zone = timeZone
        if scanner.skip("Z") || scanner.skip("z") {
            zone = TimeZone(secondsFromGMT: 0) ?? timeZone
        } else if let sign = scanner.sign() {
            guard let hours = scanner.number(digits: 2), scanner.skip(":"), let minutes = scanner.number(digits: 2),
                  hours < 24, minutes < 60, let offset = TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60))
            else { return nil }
            zone = offset
        }
        guard scanner.atEnd, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // The calendar rolls 31 April over to 1 May; a date that does not come back the same is invalid.
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { return nil }
        return date.addingTimeInterval(fraction)
    }
}

/// Reads fixed-width numbers and separators off the front of ASCII text.
private struct DigitScanner {
    private var bytes: ArraySlice<UInt8>

    package init(_ text: String) { bytes = Array(text.utf8)[...] }

    package var atEnd: Bool { bytes.isEmpty }

    /// Consumes `character` if it comes next.
    package mutating func skip(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, bytes.first == ascii else { return false }
        bytes = bytes.dropFirst()
        return true
    }

    /// Consumes exactly `digits` decimal digits.
    package mutating func number(digits: Int) -> Int? {
        let field = bytes.prefix(digits)
        guard field.count == digits, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        bytes = bytes.dropFirst(digits)
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Consumes one or more digits as the fraction after a decimal point.
    package mutating func fraction() -> Double? {
        let field = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !field.isEmpty else { return nil }
        bytes = bytes.dropFirst(field.count)
        return Double("0." + String(decoding: field, as: UTF8.self))
    }

    /// Consumes `+` or `-` and returns it as 1 or -1.
    package mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
