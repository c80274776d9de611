/// The result of expanding one shell word.
public struct ShellExpansion: Sendable, Equatable {
    /// The expanded text, quotes removed (unless the lexer keeps them).
    public var value: String
    /// The expanded text split into words: unquoted variable values split on white space,
    /// quoted text kept whole.
    public var words: [String]
    /// Variable names that were looked up and were set.
    public var matched: Set<String>
    /// Variable names that were used but not set, leaving out uses with their own fallback
    /// (`${X:-default}`, `${X:+alt}`, `${X:?message}`).
    public var unmatched: Set<String>
}

/// Expands variables and removes quotes in Dockerfile words the way BuildKit's shell lexer
/// does: `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`, `${VAR:?msg}`,
/// `${VAR?msg}`, `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`, `${VAR%%pat}`, `${VAR/pat/rep}`,
/// `${VAR//pat/rep}`, single and double quotes, and the escape character.
///
/// It is not a shell: no command substitution, arithmetic or globbing; positional and
/// special parameters (`$1`, `$@`, `$$`) are never set.
public struct ShellLex: Sendable {
    /// The escape character (`\`, or `` ` `` under `# escape=``).
    public var escapeCharacter: Unicode.Scalar
    /// Keep quote characters in the output (used to find heredoc delimiters).
    public var keepsQuotes = false
    /// Keep escape characters in the output.
    public var keepsEscapes = false
    /// Treat quotes as ordinary characters.
    public var ignoresQuotes = false
    /// Leave references to unset variables as written instead of expanding them to "".
    public var keepsUnsetVariables = false

    /// Creates a lexer with the given escape character.
    public init(escapeCharacter: Unicode.Scalar = "\\") {
        self.escapeCharacter = escapeCharacter
    }

    /// Expands `word` as one word (no splitting).
    /// - Throws: ``ShellExpansionError`` on a bad substitution or unterminated quote.
    public func expand(_ word: String, environment: [String: String]) throws(ShellExpansionError) -> String {
        try process(word, lookup: { environment[$0] }).value
    }

    /// Expands `word` and splits the result into words (as `EXPOSE`, `VOLUME` and the like need).
    /// - Throws: ``ShellExpansionError`` on a bad substitution or unterminated quote.
    public func expandWords(_ word: String, environment: [String: String]) throws(ShellExpansionError) -> [String] {
        try process(word, lookup: { environment[$0] }).words
    }

    /// Expands `word`, reporting both forms and which variables were and were not set.
    /// - Throws: ``ShellExpansionError`` on a bad substitution or unterminated quote.
    public func process(_ word: String, lookup: (String) -> String?) throws(ShellExpansionError) -> ShellExpansion {
        try withoutActuallyEscaping(lookup) { (lookup) throws(ShellExpansionError) in
            var state = ShellWordState(
                scalars: Array(word.unicodeScalars), lexer: self, lookup: lookup, rawEscapes: keepsEscapes)
            do throws(ShellExpansionError) {
                let (value, words) = try state.processStop(on: nil, rawEscapes: false)
                return ShellExpansion(
                    value: value, words: words, matched: state.matched, unmatched: state.unmatched)
            } catch {
                throw ShellExpansionError("failed to process \"\(word)\": \(error.message)")
            }
        }
    }
}
