import Foundation

/// How the CLI shows sizes, ages and tables, as Docker's CLI shows them.
enum Display {
    /// `1.23MB`, `512B`: decimal units like `docker images`.
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.3g%@", value, units[unit])
    }

    /// `1.5MiB`, `7.656GiB`: binary units with four significant digits, as Docker's
    /// `units.BytesSize` writes memory in `docker stats`.
    static func binarySize(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.4g%@", value, units[unit])
    }

    /// The JSON a `--format json` prints: indented, keys sorted, dates in ISO 8601.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `2024-05-01 10:00:00 +0000 UTC`, as Docker prints CreatedAt.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss Z 'UTC'"
        return formatter.string(from: date)
    }

    /// `value` rounded to `places` decimals (`1.5`, `0.250`), as `%.Nf` writes it but without
    /// `String(format:)`, whose first use costs a build served from the cache a millisecond.
    static func decimal(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded(.toNearestOrEven))
        let fraction = String(scaled % scale)
        let digits = places == 0 ? "" : "." + String(repeating: "0", count: places - fraction.count) + fraction
        return (value < 0 && scaled != 0 ? "-" : "") + String(scaled / scale) + digits
    }

    /// `5 minutes ago`, `2 days ago`.
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        return seconds < 2 ? "Less than a second ago" : duration(since: date, now: now) + " ago"
    }

    /// `5 minutes`, `2 days`, `3 seconds`.
    static func duration(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        let steps: [(Int, String)] = [(365 * 86400, "year"), (30 * 86400, "month"), (7 * 86400, "week"), (86400, "day"),
                                      (3600, "hour"), (60, "minute")]
        for (length, name) in steps where seconds >= length {
            let count = seconds / length
            return "\(count) \(name)\(count == 1 ? "" : "s")"
        }
        return seconds < 2 ? "Less than a second" : "\(seconds) seconds"
    }

    /// Rows as columns padded to their widest cell, three spaces apart.
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}
