/// One look at a running container's use of the machine, as `docker stats --no-stream` shows it.
public struct ContainerStats: Sendable, Hashable {
    /// Its share of the host's CPUs over the sampling interval, Docker's way: 100 is one CPU.
    public var cpuPercent: Double
    /// Memory used, less the inactive file cache (as Docker counts it), and the most it may use
    /// (its limit, or the host's memory when that is smaller).
    public var memoryUsage: UInt64
    public var memoryLimit: UInt64
    /// Bytes received and sent on its network interfaces (its loopback left out).
    public var networkReceived: UInt64
    public var networkSent: UInt64
    /// Bytes read from and written to block devices.
    public var blockRead: UInt64
    public var blockWritten: UInt64
    /// How many processes and threads it has.
    public var processes: UInt64

    public var memoryPercent: Double { memoryLimit == 0 ? 0 : Double(memoryUsage) / Double(memoryLimit) * 100 }

    /// All zero: what Docker shows for a container that is not running.
    public static let zero = ContainerStats(
        cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, networkReceived: 0, networkSent: 0, blockRead: 0, blockWritten: 0, processes: 0)

    public init(cpuPercent: Double, memoryUsage: UInt64, memoryLimit: UInt64, networkReceived: UInt64, networkSent: UInt64,
                blockRead: UInt64, blockWritten: UInt64, processes: UInt64) {
        self.cpuPercent = cpuPercent
        self.memoryUsage = memoryUsage
        self.memoryLimit = memoryLimit
        self.networkReceived = networkReceived
        self.networkSent = networkSent
        self.blockRead = blockRead
        self.blockWritten = blockWritten
        self.processes = processes
    }

    /// Docker's CPU share from two samples: the container's CPU time and the host's over the
    /// same interval, times the CPUs online (Docker's `calculateCPUPercentUnix`).
    public static func cpuPercent(containerDelta: Double, systemDelta: Double, onlineCPUs: Int) -> Double {
        guard containerDelta > 0, systemDelta > 0 else { return 0 }
        return containerDelta / systemDelta * Double(onlineCPUs) * 100
    }
}
