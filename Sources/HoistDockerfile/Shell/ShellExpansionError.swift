/// A failure to expand a shell word (bad substitution, unterminated quote, `${X:?}` on an
/// unset variable). The Dockerfile layer adds the location.
public struct ShellExpansionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The human message, in BuildKit's wording.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
