/// A `KEY=value` pair of `ENV` or `LABEL`, value as written (quotes not yet removed).
public struct KeyValuePair: Sendable, Hashable {
    /// The key as written.
    public var key: String
    /// The value as written; expansion removes the quotes.
    public var value: String
    /// False for the legacy `ENV key value` form (no `=`).
    public var usesEquals: Bool

    /// Creates a pair.
    public init(key: String, value: String, usesEquals: Bool = true) {
        self.key = key
        self.value = value
        self.usesEquals = usesEquals
    }
}
