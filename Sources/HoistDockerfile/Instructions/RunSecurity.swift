/// The sandbox a `RUN` step runs in (`--security`).
public enum RunSecurity: String, Sendable, Hashable, CaseIterable {
    /// The default sandbox.
    case sandbox
    /// All capabilities and devices (needs the builder's entitlement).
    case insecure
}
