import ArgumentParser
import Foundation

/// `--env-file` and `--label-file` as docker reads them: one `NAME=value` a line, the value taken
/// literally (no quotes, no expansion); blank lines and lines starting with `#` skipped; leading
/// white space dropped; a line with a name alone is resolved by `bare` (the host's value for an
/// environment variable, left out when unset; a label file's is left out, as docker does).
enum KeyValueFile {
    static func read(_ path: String, option: String, bare: (String) -> String?) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(option) \(path): no such file or cannot be read")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(option) \(path): invalid UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var entries: [String] = []
        // By UTF-16 units: "\r\n" is one Character; the "\r" goes, as Go's line scanner drops it.
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            var line = Substring(raw.drop { $0.isWhitespace })
            if line.hasSuffix("\r") { line.removeLast() }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard !name.isEmpty else { throw ValidationError("\(option) \(path):\(number + 1): no variable name") }
            guard !name.contains(where: \.isWhitespace) else {
                throw ValidationError("\(option) \(path):\(number + 1): variable '\(name)' contains whitespaces")
            }
            if parts.count == 2 {
                entries.append(name + "=" + parts[1])
            } else if let value = bare(name) {
                entries.append(name + "=" + value)
            }
        }
        return entries
    }

    /// `-e NAME` and a bare line in an env file: the host's value, or nothing when it is unset.
    static func hostValue(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }

    /// `-e` entries with bare names resolved against the host (left out when unset).
    static func resolvingHost(_ entries: [String]) -> [String] {
        entries.compactMap { entry in
            entry.contains("=") ? entry : hostValue(entry).map { entry + "=" + $0 }
        }
    }
}
