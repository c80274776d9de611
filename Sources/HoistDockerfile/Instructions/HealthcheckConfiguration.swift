/// A health check's command and timing (`HEALTHCHECK CMD …`).
public struct HealthcheckConfiguration: Sendable, Hashable {
    /// The test: `CMD` (exec form) or `CMD-SHELL` (shell form) in image-config terms.
    public var command: CommandForm
    /// `--interval` in nanoseconds, nil for the default (30s).
    public var interval: Int64?
    /// `--timeout` in nanoseconds, nil for the default (30s).
    public var timeout: Int64?
    /// `--start-period` in nanoseconds, nil for the default (0).
    public var startPeriod: Int64?
    /// `--start-interval` in nanoseconds, nil for the default (5s).
    public var startInterval: Int64?
    /// `--retries`, nil for the default (3).
    public var retries: Int?

    /// The image config's `Healthcheck.Test` array: `["CMD", …]` or `["CMD-SHELL", "…"]`.
    public var test: [String] {
        switch command {
        case .exec(let words): ["CMD"] + words
        case .shell(let text): ["CMD-SHELL", text]
        }
    }
}
