public import HoistOCI

/// A `.dockerignore` pattern that cannot be used.
public enum DockerIgnoreError: HoistError, Equatable {
    /// A pattern that is only `!`.
    case illegalExclusion
    /// A malformed pattern (unclosed `[`, a class starting with `-` or `]`, a trailing `\`).
    case badPattern(String)

    public var code: ErrorCode { .invalidArgument }

    public var description: String {
        switch self {
        case .illegalExclusion: "illegal exclusion pattern: \"!\""
        case .badPattern(let detail): "syntax error in pattern: \(detail)"
        }
    }
}
