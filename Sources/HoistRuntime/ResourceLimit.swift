/// A limit of the container's process as `docker run --ulimit NAME=SOFT[:HARD]` sets it
/// (setrlimit(2)): `nofile=1024:2048`, `nproc=64`, `core=-1` (-1 is unlimited).
public struct ResourceLimit: Sendable, Hashable, Codable {
    /// The names Docker accepts, `nofile` for RLIMIT_NOFILE.
    public static let names = [
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
        "rttime", "sigpending", "stack",
    ]

    public var name: String
    public var soft: Int64
    public var hard: Int64

    /// Throws `invalidArgument` for an unknown name or a soft limit above the hard one.
    public init(name: String, soft: Int64, hard: Int64) throws {
        guard Self.names.contains(name) else { throw RuntimeError(.invalidArgument, "invalid ulimit type: \(name)") }
        guard hard == -1 || (soft != -1 && soft <= hard) else {
            throw RuntimeError(.invalidArgument, "ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)")
        }
        self.name = name
        self.soft = soft
        self.hard = hard
    }

    /// `NAME=SOFT[:HARD]`, the hard limit the soft one when left out, as Docker reads it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw RuntimeError(.invalidArgument, "invalid ulimit argument: \(text)") }
        let values = parts[1].split(separator: ":", omittingEmptySubsequences: false).map { Int64($0) }
        guard (1...2).contains(values.count), let soft = values[0], let hard = values.count == 2 ? values[1] : values[0] else {
            throw RuntimeError(.invalidArgument, "invalid ulimit argument: \(text)")
        }
        try self.init(name: parts[0], soft: soft, hard: hard)
    }

    /// As the runtime spec has it (`RLIMIT_NOFILE`, unlimited as the largest value).
    public var rlimit: RuntimeSpec.Rlimit {
        RuntimeSpec.Rlimit(
            type: "RLIMIT_" + name.uppercased(), hard: hard < 0 ? UInt64.max : UInt64(hard), soft: soft < 0 ? UInt64.max : UInt64(soft))
    }
}
