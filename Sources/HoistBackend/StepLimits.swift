/// Limits every `RUN` step of a build runs under, as `docker build --memory`/`--cpu-quota` and
/// `s2i build --cap-drop` set them. They bound the steps; they are not part of any cache key,
/// so a result cached under other limits is reused (as Docker does).
public struct StepLimits: Sendable, Hashable {
    /// The memory a step's processes may use, in bytes; the step is killed beyond it.
    public var memoryBytes: Int64?
    /// CPU time per ``cpuPeriod`` (microseconds): 50000 of 100000 is half a CPU.
    public var cpuQuota: Int64?
    /// The period ``cpuQuota`` is measured over, in microseconds (default 100000).
    public var cpuPeriod: UInt64?
    /// Capabilities removed from Docker's default set (`ALL` for every one).
    public var capabilitiesDropped: [String]

    public init(memoryBytes: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil, capabilitiesDropped: [String] = []) {
        self.memoryBytes = memoryBytes
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.capabilitiesDropped = capabilitiesDropped
    }

    /// No limits beyond the runtime's defaults.
    public static let none = StepLimits()
}
