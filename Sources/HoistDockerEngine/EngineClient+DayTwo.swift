public import Foundation

/// The Engine API's day-two container endpoints: logs with `docker logs`' options, pause,
/// unpause, rename, top and one-shot stats.
extension EngineClient {
    /// `GET /containers/{id}/logs` with `docker logs`' options: `tail` nil for all, `since` and
    /// `until` as Unix times, `timestamps` for the daemon's RFC 3339 prefix on each line; each
    /// frame (a line) handed to `handler`.
    public func containerLogs(_ id: String, follow: Bool, tail: Int?, since: Date?, until: Date?, timestamps: Bool,
                              handler: (EngineStream, Data) throws -> Void) async throws {
        var query = [("stdout", "1"), ("stderr", "1"), ("follow", follow ? "1" : "0"), ("tail", tail.map(String.init) ?? "all"),
                     ("timestamps", timestamps ? "1" : "0")]
        if let since { query.append(("since", Self.unixTime(since))) }
        if let until { query.append(("until", Self.unixTime(until))) }
        let response = try await send(.GET, "/containers/\(id)/logs", query: query)
        try await Self.demultiplex(response, handler)
    }

    /// `seconds.nanoseconds`, as the daemon reads `since` and `until`.
    static func unixTime(_ date: Date) -> String {
        let seconds = floor(date.timeIntervalSince1970)
        let nanoseconds = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded())
        let fraction = String(min(nanoseconds, 999_999_999))
        return "\(Int(seconds)).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    public func pauseContainer(_ id: String) async throws { try await perform(.POST, "/containers/\(id)/pause") }

    public func unpauseContainer(_ id: String) async throws { try await perform(.POST, "/containers/\(id)/unpause") }

    public func renameContainer(_ id: String, to name: String) async throws {
        try await perform(.POST, "/containers/\(id)/rename", query: [("name", name)])
    }

    /// `GET /containers/{id}/top?ps_args=…`: the titles and rows of the daemon's `ps`.
    public func top(_ id: String, psArguments: [String]) async throws -> EngineProcessList {
        try await json(.GET, "/containers/\(id)/top", query: psArguments.isEmpty ? [] : [("ps_args", psArguments.joined(separator: " "))])
    }

    /// `GET /containers/{id}/json?size=1`'s sizes: the writable layer and the whole file system.
    public func containerSize(_ id: String) async throws -> (writable: Int64, rootFileSystem: Int64) {
        let answer: SizeAnswer = try await json(.GET, "/containers/\(id)/json", query: [("size", "1")])
        return (answer.sizeRw ?? 0, answer.sizeRootFs ?? 0)
    }

    private struct SizeAnswer: Decodable {
        var sizeRw: Int64?
        var sizeRootFs: Int64?
        enum CodingKeys: String, CodingKey {
            case sizeRw = "SizeRw"
            case sizeRootFs = "SizeRootFs"
        }
    }

    /// `GET /containers/{id}/stats?stream=false`: one sample with the one before it.
    public func stats(_ id: String) async throws -> EngineStats {
        try await json(.GET, "/containers/\(id)/stats", query: [("stream", "false")])
    }
}

/// What `GET /containers/{id}/top` answers.
public struct EngineProcessList: Decodable, Sendable {
    public var titles: [String]
    public var processes: [[String]]

    enum CodingKeys: String, CodingKey {
        case titles = "Titles"
        case processes = "Processes"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        titles = try container.decodeIfPresent([String].self, forKey: .titles) ?? []
        processes = try container.decodeIfPresent([[String]].self, forKey: .processes) ?? []
    }
}

/// The parts of `GET /containers/{id}/stats` that `docker stats` shows.
public struct EngineStats: Decodable, Sendable {
    public struct CPU: Decodable, Sendable {
        public struct Usage: Decodable, Sendable {
            public var totalUsage: UInt64?
            public var percpuUsage: [UInt64]?
            enum CodingKeys: String, CodingKey {
                case totalUsage = "total_usage"
                case percpuUsage = "percpu_usage"
            }
        }
        public var cpuUsage: Usage?
        public var systemCPUUsage: UInt64?
        public var onlineCPUs: Int?
        enum CodingKeys: String, CodingKey {
            case cpuUsage = "cpu_usage"
            case systemCPUUsage = "system_cpu_usage"
            case onlineCPUs = "online_cpus"
        }
    }
    public struct Memory: Decodable, Sendable {
        public var usage: UInt64?
        public var limit: UInt64?
        public var stats: [String: UInt64]?
    }
    public struct Network: Decodable, Sendable {
        public var received: UInt64?
        public var sent: UInt64?
        enum CodingKeys: String, CodingKey {
            case received = "rx_bytes"
            case sent = "tx_bytes"
        }
    }
    public struct BlockIO: Decodable, Sendable {
        public struct Entry: Decodable, Sendable {
            public var op: String
            public var value: UInt64
        }
        public var serviceBytes: [Entry]?
        enum CodingKeys: String, CodingKey { case serviceBytes = "io_service_bytes_recursive" }
    }
    public struct PIDs: Decodable, Sendable { public var current: UInt64? }

    public var cpu: CPU?
    public var previousCPU: CPU?
    public var memory: Memory?
    public var networks: [String: Network]?
    public var blockIO: BlockIO?
    public var pids: PIDs?

    enum CodingKeys: String, CodingKey {
        case cpu = "cpu_stats"
        case previousCPU = "precpu_stats"
        case memory = "memory_stats"
        case networks
        case blockIO = "blkio_stats"
        case pids = "pids_stats"
    }
}
