/// Something a frontend found doubtful in what it was given, without failing the build (the
/// Dockerfile's build checks, an unknown `# syntax=`): carried by the ``BuildState`` it made
/// and surfaced with the solve's result.
public struct BuildWarning: Sendable, Hashable, CustomStringConvertible {
    /// The rule that fired (`UndefinedVar`), if the warning comes from one.
    public var rule: String?
    /// What is wrong, for a human.
    public var message: String
    /// The file it is about (`Dockerfile`), if any.
    public var file: String?
    /// The 1-based line and column, when the warning has a place in `file`.
    public var line: Int?
    public var column: Int?

    public init(rule: String? = nil, message: String, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.rule = rule
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `Dockerfile:3:1: UndefinedVar: message`, as compilers print theirs.
    public var description: String {
        let place = [file, line.map(String.init), line == nil ? nil : column.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return [place.isEmpty ? nil : place, rule, message].compactMap { $0 }.joined(separator: ": ")
    }
}
