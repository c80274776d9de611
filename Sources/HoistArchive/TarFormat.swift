/// Field offsets and encodings of the 512-byte ustar header block, shared by the reader and
/// the writer.
enum TarFormat {
    static let blockSize = 512

    struct Field {
        let offset: Int
        let length: Int
        var range: Range<Int> { offset..<(offset + length) }
    }

    static let name = Field(offset: 0, length: 100)
    static let mode = Field(offset: 100, length: 8)
    static let uid = Field(offset: 108, length: 8)
    static let gid = Field(offset: 116, length: 8)
    static let size = Field(offset: 124, length: 12)
    static let mtime = Field(offset: 136, length: 12)
    static let checksum = Field(offset: 148, length: 8)
    static let typeflag = 156
    static let linkName = Field(offset: 157, length: 100)
    static let magic = Field(offset: 257, length: 6)
    static let version = Field(offset: 263, length: 2)
    static let userName = Field(offset: 265, length: 32)
    static let groupName = Field(offset: 297, length: 32)
    static let deviceMajor = Field(offset: 329, length: 8)
    static let deviceMinor = Field(offset: 337, length: 8)
    static let prefix = Field(offset: 345, length: 155)

    /// The largest file size an octal size field holds; larger sizes need a PAX record.
    static let maxOctalSize: Int64 = 0o77777777777
    /// The largest id an 8-byte octal field holds.
    static let maxOctalID = 0o7777777

    /// Sums the header bytes with the checksum field counted as spaces; returns the unsigned
    /// sum and the signed one (some old writers used signed chars).
    static func checksums(_ block: UnsafeRawBufferPointer) -> (unsigned: Int, signed: Int) {
        var unsigned = 0
        var signed = 0
        for i in 0..<blockSize {
            let byte = checksum.range.contains(i) ? 0x20 : block[i]
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        return (unsigned, signed)
    }

    /// Parses a numeric field: octal (space/NUL padded) or GNU base-256 (high bit set).
    /// Returns nil if the field is malformed or out of range.
    static func parseNumber(_ block: UnsafeRawBufferPointer, _ field: Field) -> Int64? {
        let bytes = UnsafeRawBufferPointer(rebasing: block[field.range])
        if let first = bytes.first, first & 0x80 != 0 {
            // Base-256, big-endian two's complement; 0xff marks a negative number.
            let negative = first == 0xff
            var value: Int64 = negative ? -1 : Int64(first & 0x7f)
            for byte in bytes.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                if overflow { return nil }
                value = shifted | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        var ended = false
        for byte in bytes {
            switch byte {
            case 0x30...0x37 where !ended:
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
                if overflow { return nil }
                value = shifted + Int64(byte - 0x30)
                seenDigit = true
            case 0x20, 0x00:
                if seenDigit { ended = true }
            default:
                return nil
            }
        }
        return value
    }

    /// The text of a NUL-terminated (or full-width) string field.
    static func parseString(_ block: UnsafeRawBufferPointer, _ field: Field) -> String {
        let bytes = UnsafeRawBufferPointer(rebasing: block[field.range])
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Writes `value` in octal, zero-padded, NUL-terminated; false if it does not fit.
    static func writeOctal(_ value: Int64, into block: UnsafeMutableRawBufferPointer, _ field: Field) -> Bool {
        guard value >= 0 else { return false }
        let digits = field.length - 1
        var v = value
        for i in stride(from: digits - 1, through: 0, by: -1) {
            block[field.offset + i] = UInt8(0x30 + (v & 7))
            v >>= 3
        }
        block[field.offset + digits] = 0
        return v == 0
    }

    /// Copies `bytes` into a string field; false (and nothing written) if too long.
    static func writeBytes(_ bytes: some Collection<UInt8>, into block: UnsafeMutableRawBufferPointer, _ field: Field) -> Bool {
        guard bytes.count <= field.length else { return false }
        var i = field.offset
        for byte in bytes {
            block[i] = byte
            i += 1
        }
        return true
    }
}

/// PAX extended header records: `"LEN KEY=VALUE\n"`, LEN counting the whole record.
enum PaxRecords {
    /// Parses records; values stay bytes because xattr values may be binary.
    static func parse(_ data: [UInt8]) -> [(key: String, value: [UInt8])]? {
        var records: [(key: String, value: [UInt8])] = []
        var index = 0
        while index < data.count {
            // Some writers pad the data with NULs.
            if data[index] == 0 { break }
            var length = 0
            var cursor = index
            while cursor < data.count, data[cursor] != 0x20 {
                let byte = data[cursor]
                guard byte >= 0x30 && byte <= 0x39, length < 100_000_000 else { return nil }
                length = length * 10 + Int(byte - 0x30)
                cursor += 1
            }
            guard cursor < data.count, cursor > index, length > cursor - index + 1,
                index + length <= data.count, data[index + length - 1] == 0x0a
            else { return nil }
            let body = data[(cursor + 1)..<(index + length - 1)]
            guard let equals = body.firstIndex(of: 0x3d), equals > body.startIndex else { return nil }
            records.append((String(decoding: body[..<equals], as: UTF8.self), Array(body[(equals + 1)...])))
            index += length
        }
        return records
    }

    /// Encodes one record, finding the length that includes its own digits.
    static func encode(key: String, value: [UInt8]) -> [UInt8] {
        let payload = Array(" \(key)=".utf8) + value + [0x0a]
        var length = payload.count + 1
        while String(length).utf8.count + payload.count != length {
            length = String(length).utf8.count + payload.count
        }
        return Array(String(length).utf8) + payload
    }

    /// Parses a PAX time, `SECONDS[.FRACTION]`, possibly negative.
    static func parseTime(_ text: String) -> TarTimestamp? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            let seconds = Int64(whole)
        else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            var digits = String(fraction.prefix(9))
            while digits.count < 9 { digits += "0" }
            nanos = Int64(digits) ?? 0
        }
        if negative && nanos > 0 {
            return TarTimestamp(seconds: -seconds - 1, nanoseconds: Int32(1_000_000_000 - nanos))
        }
        return TarTimestamp(seconds: negative ? -seconds : seconds, nanoseconds: Int32(nanos))
    }

    /// Formats a time for a PAX record without trailing zeros in the fraction.
    static func formatTime(_ time: TarTimestamp) -> String {
        guard time.nanoseconds != 0 else { return String(time.seconds) }
        var seconds = time.seconds
        var nanos = Int64(time.nanoseconds)
        var sign = ""
        if seconds < 0 {
            sign = "-"
            seconds = -(seconds + 1)
            nanos = 1_000_000_000 - nanos
        }
        var fraction = String(String(nanos + 1_000_000_000).dropFirst())
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(seconds).\(fraction)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
