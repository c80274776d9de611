public import Foundation

extension ResourceLimits {
    /// Docker's smallest memory limit: less cannot even start a container's init.
    public static let minimumMemoryBytes: Int64 = 6 << 20
    /// The CPU period Docker uses for `--cpus`, in microseconds.
    public static let defaultCPUPeriod: UInt64 = 100_000

    /// The quota and period that give `cpus` CPUs (`--cpus`), checked as Docker's daemon checks
    /// it: a finite number from 0.01 to the CPUs this host has. Throws `invalidArgument`.
    public static func cpuQuota(cpus: Double, available: Int = ProcessInfo.processInfo.activeProcessorCount) throws
        -> (quota: Int64, period: UInt64)
    {
        guard cpus.isFinite, cpus >= 0.01, cpus <= Double(available) else {
            throw RuntimeError(
                .invalidArgument,
                "range of CPUs is from 0.01 to \(available).00, as there are only \(available) CPUs available (got \(cpus))")
        }
        return (Int64((cpus * Double(defaultCPUPeriod)).rounded()), defaultCPUPeriod)
    }

    /// These limits with Docker's meanings applied and every value checked, before anything is
    /// prepared for a container: a memory of 0 means no limit (as `--memory 0` does), negative
    /// or tiny memory and swap, CPU quotas and periods outside the kernel's range are refused
    /// with `invalidArgument`; a pids limit of 0 or below means unlimited.
    public func validated() throws -> ResourceLimits {
        var limits = self
        if limits.memoryBytes == 0 { limits.memoryBytes = nil }
        if let memory = limits.memoryBytes {
            guard memory >= Self.minimumMemoryBytes else {
                throw RuntimeError(.invalidArgument, "minimum memory limit allowed is 6MB (got \(memory) bytes)")
            }
            // The default swap limit is twice the memory: it must fit too.
            guard !memory.multipliedReportingOverflow(by: 2).overflow else {
                throw RuntimeError(.invalidArgument, "memory limit \(memory) bytes is too large")
            }
        }
        if let swap = limits.memorySwapBytes, swap != -1 {
            guard swap > 0, swap >= limits.memoryBytes ?? 0 else {
                throw RuntimeError(
                    .invalidArgument, "memory+swap limit \(swap) must be -1 (unlimited) or at least the memory limit")
            }
        }
        if let period = limits.cpuPeriod, !(1_000...1_000_000).contains(period) {
            throw RuntimeError(
                .invalidArgument, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000), got \(period)")
        }
        if let quota = limits.cpuQuota, quota != -1, quota < 1_000 {
            throw RuntimeError(.invalidArgument, "CPU cfs quota can not be less than 1ms (i.e. 1000), got \(quota)")
        }
        if let pids = limits.pidsLimit, pids <= 0 { limits.pidsLimit = nil }
        return limits
    }
}
