import Foundation

/// Dates as image configs write them: RFC 3339 in UTC, e.g. `2026-11-23T11:31:00.123Z`.
enum RFC3339 {
    static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
