public import Foundation

/// The environment S2I gives `assemble` and writes into the image, in S2I's order: the
/// source's `.s2i/environment`, then `-e NAME=VALUE`, then `-E/--environment-file` — a later
/// value of a name replaces an earlier one.
public struct S2IEnvironment: Sendable, Hashable {
    /// The variables, in order, each name once.
    public private(set) var variables: [(name: String, value: String)] = []

    public init() {}

    /// `NAME=value` entries.
    public var entries: [String] { variables.map { "\($0.name)=\($0.value)" } }

    public static func == (lhs: S2IEnvironment, rhs: S2IEnvironment) -> Bool { lhs.entries == rhs.entries }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }

    /// Sets `name` (replacing an earlier value, in its place).
    public mutating func set(_ name: String, _ value: String) {
        if let index = variables.firstIndex(where: { $0.name == name }) {
            variables[index].value = value
        } else {
            variables.append((name, value))
        }
    }

    /// Adds a `-e` value: `NAME=VALUE`, both trimmed.
    ///
    /// - Throws: ``S2IError`` `invalidArgument` without `=` or a name, as S2I refuses it.
    public mutating func add(argument: String) throws {
        guard let (name, value) = Self.split(argument), !name.isEmpty else {
            throw S2IError(.invalidArgument, "invalid environment format \"\(argument)\", must be NAME=VALUE")
        }
        set(name, value)
    }

    /// Adds the source's `.s2i/environment`, read as S2I reads it: lines that start with `#`
    /// are comments, lines without `=` or a name are skipped; names and values are trimmed.
    public mutating func add(sourceFile text: String) {
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            if let (name, value) = Self.split(String(line)), !name.isEmpty { set(name, value) }
        }
    }

    /// Adds an `--environment-file`, read as S2I reads it: lines trimmed, `#` and `//` lines
    /// are comments, lines without `=` are skipped.
    public mutating func add(environmentFile text: String) {
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("//") else { continue }
            if let (name, value) = Self.split(trimmed) { set(name, value) }
        }
    }

    private static func split(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        return (text[..<equals].trimmingCharacters(in: .whitespaces), text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces))
    }
}
