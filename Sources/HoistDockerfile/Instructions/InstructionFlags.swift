import HoistOCI

/// The `--flag` words of one instruction, checked against the flags that instruction accepts
/// (BuildKit's rules: `--name=value` for strings, `--name` or `--name=true|false` for
/// booleans, repeatable string lists, an error for unknown or repeated flags).
struct InstructionFlags {
    enum Kind { case bool, string, strings }

    private let words: [String]
    private var values: [String: [String]] = [:]

    init(_ words: [String]) {
        self.words = words
    }

    /// Declares the accepted flags and reads the words; throws the first problem found.
    mutating func parse(_ accepted: [String: Kind]) throws(InstructionFailure) {
        for word in words {
            guard word.hasPrefix("--") else {
                throw InstructionFailure("arg should start with -- : \(word)")
            }
            let body = word.dropFirst(2)
            let name: String
            let value: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                value = nil
            }
            guard let kind = accepted[name] else {
                let hint = suggestion(for: name, among: accepted.keys.sorted()).map { " (did you mean \($0)?)" } ?? ""
                throw InstructionFailure("unknown flag: --\(name)\(hint)", flag: name)
            }
            if values[name] != nil, kind != .strings {
                throw InstructionFailure("duplicate flag specified: \(name)", flag: name)
            }
            switch kind {
            case .bool:
                if value == "" { throw InstructionFailure("missing a value on flag: \(name)", flag: name) }
                switch value?.lowercased() {
                case nil, "true": values[name] = ["true"]
                case "false": values[name] = ["false"]
                default:
                    throw InstructionFailure("expecting boolean value for flag \(name), not: \(value!)", flag: name)
                }
            case .string, .strings:
                guard let value else { throw InstructionFailure("missing a value on flag: \(name)", flag: name) }
                values[name, default: []].append(value)
            }
        }
    }

    /// A string flag's value, nil when not given.
    func string(_ name: String) -> String? { values[name]?.last }

    /// A boolean flag's value, false when not given.
    func bool(_ name: String) -> Bool { values[name]?.last == "true" }

    /// Every value of a repeatable flag, in order.
    func strings(_ name: String) -> [String] { values[name] ?? [] }

    /// The names of the flags that were given, in the order first given.
    var used: [String] {
        var seen: [String] = []
        for word in words {
            let name = String(word.dropFirst(2).prefix { $0 != "=" })
            if !seen.contains(name) { seen.append(name) }
        }
        return seen
    }
}

/// A problem in one instruction, located by the caller.
struct InstructionFailure: Error {
    var message: String
    var code: ErrorCode = .invalidArgument
    /// The flag at fault, so the error can point at its column.
    var flag: String?
    init(_ message: String, code: ErrorCode = .invalidArgument, flag: String? = nil) {
        self.message = message
        self.code = code
        self.flag = flag
    }
}

/// The closest candidate to a misspelt name (a small edit distance, or a prefix of at least
/// three characters), for "did you mean" hints.
func suggestion(for name: String, among candidates: [String]) -> String? {
    let lowered = name.lowercased()
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        let limit = max(1, min(2, candidate.count / 3))
        // A name rewritten entirely (`B` → `A`) is no hint.
        let meaningful = distance < min(lowered.count, candidate.count)
        if distance <= limit, meaningful, best == nil || distance < best!.1 { best = (candidate, distance) }
    }
    if best == nil, lowered.count >= 3 {
        return candidates.first { $0.lowercased().hasPrefix(lowered) }
    }
    return best?.0
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions (`form` → `from`) each cost 1.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = Swift.min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = Swift.min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
