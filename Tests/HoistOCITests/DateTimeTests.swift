import Foundation
import HoistOCI
import Testing

/// `created` times as ``ImageConfig/createdDate`` reads them (RFC 3339).
@Suite struct DateTimeTests {
    static func date(_ text: String) -> Date? {
        ImageConfig(created: text, architecture: "amd64", os: "linux").createdDate
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2000-03-01T00:00:00Z", 951_868_800),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
        ("2100-12-31T23:59:59Z", 4_133_980_799),
        ("2015-10-31T22:22:56.015925234Z", 1_446_330_176.015925234),
        ("1970-01-01T01:00:00.5+01:00", 0.5),
        ("1969-12-31T19:00:00-05:00", 0),
        ("2016-12-31T23:59:60Z", 1_483_228_799),
    ])
    func validTimesAreRead(text: String, seconds: Double) throws {
        let date = try #require(Self.date(text), "\(text)")
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6, "\(text): \(date.timeIntervalSince1970)")
    }

    @Test(arguments: ["2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00"])
    func invalidTimesAreNot(text: String) {
        #expect(Self.date(text) == nil)
    }

    @Test func timesBeforeTheGregorianReformStillRead() {
        #expect(Self.date("1000-06-15T12:00:00Z") != nil)
    }
}
