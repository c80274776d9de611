/// The network a `RUN` step gets (`--network`).
public enum RunNetwork: String, Sendable, Hashable, CaseIterable {
    /// The builder's default (a sandboxed network).
    case `default`
    /// No network at all.
    case none
    /// The host's network stack.
    case host
}
