/// Parses Go duration strings as `HEALTHCHECK` takes them: `30s`, `1m30s`, `1.5h`, `500ms`,
/// `250us`, `0`; units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`.
enum GoDuration {
    /// The duration in nanoseconds, or nil when `text` is not a valid duration.
    static func nanoseconds(_ text: String) -> Int64? {
        var scalars = Substring(text).unicodeScalars[...]
        var negative = false
        if scalars.first == "-" || scalars.first == "+" {
            negative = scalars.first == "-"
            scalars = scalars.dropFirst()
        }
        if String(scalars) == "0" { return 0 }
        guard !scalars.isEmpty else { return nil }
        var total = 0.0
        while !scalars.isEmpty {
            let number = scalars.prefix { ("0"..."9").contains($0) || $0 == "." }
            guard !number.isEmpty, String(number) != ".", let value = Double(String(number)) else { return nil }
            scalars = scalars.dropFirst(number.count)
            let unit = String(scalars.prefix { !("0"..."9").contains($0) && $0 != "." })
            scalars = scalars.dropFirst(unit.unicodeScalars.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += value * scale
        }
        guard total <= Double(Int64.max) else { return nil }
        return Int64(total) * (negative ? -1 : 1)
    }
}

/// Parses sizes as Docker's `units.RAMInBytes` does: `1024`, `64m`, `1.5g`, `512KiB`, with
/// binary multiples.
enum RAMSize {
    static func bytes(_ text: String) -> Int64? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count, ("0"..."9").contains(scalars[index]) || scalars[index] == "." { index += 1 }
        guard index > 0, let value = Double(String(String.UnicodeScalarView(scalars[..<index]))) else { return nil }
        var suffix = String(String.UnicodeScalarView(scalars[index...])).lowercased()
        if suffix.hasPrefix(" ") { suffix.removeFirst() }
        if suffix.hasSuffix("b") { suffix.removeLast() }
        if suffix.hasSuffix("i") { suffix.removeLast() }
        let powers: [String: Double] = ["": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5]
        guard let power = powers[suffix] else { return nil }
        let result = value * pow1024(power)
        guard result < Double(Int64.max) else { return nil }
        return Int64(result)
    }

    private static func pow1024(_ power: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(power) { result *= 1024 }
        return result
    }
}
