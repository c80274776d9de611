/// When S2I pulls an image (`--pull-policy`, `--runtime-pull-policy`,
/// `--incremental-pull-policy`), spelled as S2I spells it.
public enum S2IPullPolicy: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Pull every time.
    case always
    /// Pull only when the backend lacks the image (S2I's default for all three).
    case ifNotPresent = "if-not-present"
    /// Never pull: a missing builder or runtime image is an error, a missing previous image
    /// makes the build a clean one.
    case never

    /// Reads S2I's spelling; `missing`, Hoist's and Podman's word for `if-not-present`, is
    /// taken too.
    ///
    /// - Throws: ``S2IError`` `invalidArgument` naming the valid values, as S2I words it.
    public init(parsing text: String, option: String = "--pull-policy") throws {
        if text == "missing" {
            self = .ifNotPresent
            return
        }
        guard let policy = S2IPullPolicy(rawValue: text) else {
            throw S2IError(.invalidArgument, "\(option): invalid value \"\(text)\", valid values are: always, never or if-not-present")
        }
        self = policy
    }

    public var description: String { rawValue }
}
