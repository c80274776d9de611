import Foundation

/// The small grammars of the OCI image spec, checked by hand where the JSON schemas use a
/// pattern or a format, so validation needs no regular-expression or schema engine.
enum OCIGrammar {
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// `type/subtype` as RFC 6838 restricts it: each part starts alphanumeric, then up to 126
    /// of `A-Za-z0-9!#$&^_.+-`.
    static func isValidMediaType(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, isAlphanumeric(first), part.count <= 127 else { return false }
            return part.dropFirst().allSatisfy { isAlphanumeric($0) || "!#$&^_.+-".utf8.contains($0) }
        }
    }

    /// Why `text` is not a valid descriptor digest, or nil when it is: `algorithm:encoded`,
    /// where the algorithm is lowercase alphanumeric parts joined by one of `+._-`, the encoded
    /// part is `[a-zA-Z0-9=_-]+`, and registered algorithms have their exact hex encodings.
    static func digestProblem(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return "expected algorithm:encoded" }
        let algorithm = text[..<colon]
        let encoded = text[text.index(after: colon)...]
        let parts = algorithm.utf8.split(
            omittingEmptySubsequences: false, whereSeparator: { "+._-".utf8.contains($0) })
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isLowerAlphanumeric) }) else {
            return "algorithm \"\(algorithm)\" must be lowercase letters and digits, joined by single + . _ or -"
        }
        guard !encoded.isEmpty, encoded.utf8.allSatisfy({ isAlphanumeric($0) || "=_-".utf8.contains($0) }) else {
            return "encoded part must be letters, digits, = _ or -"
        }
        if let length = registeredHexLength[String(algorithm)] {
            let isLowerHex = encoded.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
            guard encoded.utf8.count == length, isLowerHex else {
                return "\(algorithm) needs exactly \(length) lowercase hex characters"
            }
        }
        return nil
    }

    /// The algorithms the OCI spec registers, with the length of their hex encoding.
    static let registeredHexLength: [String: Int] = ["sha256": 64, "sha384": 96, "sha512": 128]

    /// An absolute URI as RFC 3986 defines it: a scheme, `:`, then only URI characters
    /// (percent escapes well formed), no fragment.
    static func isAbsoluteURI(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        let scheme = bytes[..<colon]
        guard let first = scheme.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A),
            scheme.allSatisfy({ isAlphanumeric($0) || "+-.".utf8.contains($0) })
        else { return false }
        let allowed = Set("-._~:/?#[]@!$&'()*+,;=".utf8)
        var index = colon + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
                continue
            }
            guard isAlphanumeric(byte) || allowed.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
    }

    /// Decodes standard base64 (RFC 4648 section 4) with its `=` padding required, as Go's
    /// `base64.StdEncoding` does; nil when `text` is not exactly that.
    static func decodeStandardBase64(_ text: String) -> Data? {
        guard text.utf8.count % 4 == 0,
            text.utf8.allSatisfy({ isAlphanumeric($0) || "+/=".utf8.contains($0) })
        else { return nil }
        return Data(base64Encoded: text)
    }

    /// Whether `entry` is an environment entry the image spec accepts: `^[^=]+=.*$` with Go's
    /// regexp semantics, so the value may not span lines.
    static func isValidEnvironmentEntry(_ entry: String) -> Bool {
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else { return false }
        return !entry[equals...].contains("\n")
    }

    /// Parses an RFC 3339 `date-time` (`2015-10-31T22:22:56.015925234Z`, any number of
    /// fraction digits, `Z` or a `±hh:mm` offset); nil when `text` is not one.
    static func parseDateTime(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20,
            let year = number(0..<4), bytes[4] == UInt8(ascii: "-"),
            let month = number(5..<7), bytes[7] == UInt8(ascii: "-"),
            let day = number(8..<10), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), bytes[16] == UInt8(ascii: ":"),
            let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, let offsetHours = number(index + 1..<index + 3),
                bytes[index + 3] == UInt8(ascii: ":"), let offsetMinutes = number(index + 4..<index + 6),
                offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        if year >= 1583 {
            // Gregorian arithmetic: Foundation's calendar, whose first use costs more than the rest
            // of a build served from the cache, is left for dates before 1583, where it counts
            // days the Julian way.
            return gregorianDate(year: year, month: month, day: day, seconds: hour * 3600 + minute * 60 + min(second, 59))?
                .addingTimeInterval(fraction - Double(offsetSeconds))
        }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(secondsFromGMT: 0)
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, min(second, 59))
        guard components.isValidDate, let date = components.date else { return nil }
        return date.addingTimeInterval(fraction - Double(offsetSeconds))
    }

    /// `seconds` into the day `year`-`month`-`day` of the Gregorian calendar, UTC; nil when the
    /// month has no such day. (Days are counted from 1970 as in Howard Hinnant's
    /// `days_from_civil`, with years starting in March so that leap days come last.)
    private static func gregorianDate(year: Int, month: Int, day: Int, seconds: Int) -> Date? {
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        let marchYear = month <= 2 ? year - 1 : year
        let era = marchYear / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + seconds))
    }
}
