import Foundation
import HoistTestSupport
import Testing

@testable import HoistRuntime

/// Limits from flags are checked before anything is prepared for a container.
@Suite struct ResourceLimitsTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1, 0, 0.001, 1_000_000])
    func cpusOutsideTheHostsRangeAreRefused(cpus: Double) {
        let error = #expect(throws: RuntimeError.self) { _ = try ResourceLimits.cpuQuota(cpus: cpus, available: 2) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func cpusBecomeAQuotaOfTheDefaultPeriod() throws {
        let half = try ResourceLimits.cpuQuota(cpus: 0.5, available: 2)
        #expect(half.quota == 50_000 && half.period == 100_000)
        #expect(try ResourceLimits.cpuQuota(cpus: 2, available: 2).quota == 200_000)
    }

    @Test func zeroMemoryMeansNoLimitAsInDocker() throws {
        #expect(try ResourceLimits(memoryBytes: 0).validated().memoryBytes == nil)
        #expect(try ResourceLimits(pidsLimit: -1).validated().pidsLimit == nil)
        #expect(try ResourceLimits(memoryBytes: 64 << 20).validated().memoryBytes == 64 << 20)
    }

    @Test(arguments: [
        ResourceLimits(memoryBytes: -5 << 20), ResourceLimits(memoryBytes: 1 << 20), ResourceLimits(memoryBytes: .max),
        ResourceLimits(memoryBytes: .max / 2 + 1), ResourceLimits(memoryBytes: 64 << 20, memorySwapBytes: 1),
        ResourceLimits(cpuQuota: 10), ResourceLimits(cpuQuota: 50_000, cpuPeriod: 10), ResourceLimits(cpuPeriod: 5_000_000),
    ])
    func badLimitsAreRefused(limits: ResourceLimits) {
        let error = #expect(throws: RuntimeError.self) { _ = try limits.validated() }
        #expect(error?.code == .invalidArgument)
    }

    @Test func hugeMemoryNeverOverflowsTheSwapLimit() throws {
        let limits = try ResourceLimits(memoryBytes: .max / 2).validated()
        var builder = RuntimeSpecBuilder(ContainerSettings(arguments: ["true"], resources: limits))
        builder.swapAccounting = true
        let directory = try TemporaryDirectory()
        let rootfs = directory.appending("rootfs").path
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        let spec = try builder.build(rootfs: rootfs, bundle: directory.path)
        #expect(spec.linux?.resources?.memory?.swap == Int64.max - 1)
    }

    @Test(arguments: [("/a/../b", "/b"), ("/..", "/"), ("/a/./b/", "/a/b"), ("/", "/"), ("//x//y", "/x/y")])
    func workingDirectoriesAreCleaned(given: String, cleaned: String) throws {
        #expect(try RuntimeSpecBuilder.workingDirectory(given) == cleaned)
    }

    @Test(arguments: ["relative", "", "./x", "../x"])
    func relativeWorkingDirectoriesAreRefused(given: String) {
        let error = #expect(throws: RuntimeError.self) { _ = try RuntimeSpecBuilder.workingDirectory(given) }
        #expect(error?.code == .invalidArgument)
    }
}
