/// When a kept container's monitor starts it again after it ends, as `docker run --restart` says.
public enum RestartPolicy: Sendable, Hashable, Codable {
    /// Never (the default).
    case no
    /// After a non-zero exit, at most `maximumRetries` times when given.
    case onFailure(maximumRetries: Int?)
    /// After every exit, until it is stopped.
    case always
    /// As `always`: without a daemon nothing restarts containers at boot, which is where
    /// Docker's two differ.
    case unlessStopped

    /// `no`, `on-failure[:N]`, `always` or `unless-stopped`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("no", 1): self = .no
        case ("always", 1): self = .always
        case ("unless-stopped", 1): self = .unlessStopped
        case ("on-failure", 1): self = .onFailure(maximumRetries: nil)
        case ("on-failure", 2):
            guard let count = Int(parts[1]), count >= 0 else {
                throw RuntimeError(.invalidArgument, "invalid restart policy \(text): the count must be a number of at least 0")
            }
            self = .onFailure(maximumRetries: count)
        default:
            throw RuntimeError(.invalidArgument, "invalid restart policy \(text): expected no, on-failure[:N], always or unless-stopped")
        }
    }

    /// The policy as Docker writes it.
    public var description: String {
        switch self {
        case .no: "no"
        case .always: "always"
        case .unlessStopped: "unless-stopped"
        case .onFailure(let count): count.map { "on-failure:\($0)" } ?? "on-failure"
        }
    }
}
