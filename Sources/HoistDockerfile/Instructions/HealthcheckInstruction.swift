/// `HEALTHCHECK [options] CMD command` or `HEALTHCHECK NONE`.
public struct HealthcheckInstruction: Sendable, Hashable {
    /// The check, or nil for `NONE` (disable any inherited check).
    public var check: HealthcheckConfiguration?
    /// Where the instruction is.
    public var range: SourceRange
}
