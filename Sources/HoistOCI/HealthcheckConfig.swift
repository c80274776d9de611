/// Docker's health check for an image (`HEALTHCHECK` in a Dockerfile). Durations are in
/// nanoseconds, as Docker writes them.
public struct HealthcheckConfig: Hashable, Sendable, Codable {
    /// The check: `["NONE"]` disables it, `["CMD", exe, args…]` or `["CMD-SHELL", command]` runs it.
    public var test: [String]?
    /// Time between checks, in nanoseconds.
    public var interval: Int64?
    /// Time a check may take before it counts as failed, in nanoseconds.
    public var timeout: Int64?
    /// Time after start during which failures do not count, in nanoseconds.
    public var startPeriod: Int64?
    /// Time between checks during the start period, in nanoseconds.
    public var startInterval: Int64?
    /// Consecutive failures that make the container unhealthy.
    public var retries: Int?
    /// Members Hoist does not model, kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A health check from its parts; nil leaves a member out (Docker then uses its defaults).
    public init(
        test: [String]? = nil, interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil,
        startInterval: Int64? = nil, retries: Int? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
        self.unknownFields = unknownFields
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case test = "Test"
        case interval = "Interval"
        case timeout = "Timeout"
        case startPeriod = "StartPeriod"
        case startInterval = "StartInterval"
        case retries = "Retries"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        test = try container.decodeIfPresent([String].self, forKey: .test)
        interval = try container.decodeIfPresent(Int64.self, forKey: .interval)
        timeout = try container.decodeIfPresent(Int64.self, forKey: .timeout)
        startPeriod = try container.decodeIfPresent(Int64.self, forKey: .startPeriod)
        startInterval = try container.decodeIfPresent(Int64.self, forKey: .startInterval)
        retries = try container.decodeIfPresent(Int.self, forKey: .retries)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(test, forKey: .test)
        try container.encodeIfPresent(interval, forKey: .interval)
        try container.encodeIfPresent(timeout, forKey: .timeout)
        try container.encodeIfPresent(startPeriod, forKey: .startPeriod)
        try container.encodeIfPresent(startInterval, forKey: .startInterval)
        try container.encodeIfPresent(retries, forKey: .retries)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
