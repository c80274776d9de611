import Foundation
@testable import HoistRuntime
import Testing

/// `docker stats`' counters read from cgroup files (issue 19), v1 controllers and v2 alike.
struct CgroupSampleTests {
    @Test func v1ControllersAreReadAsDockerCountsThem() {
        let membership = "12:pids:/hoist/c1\n4:memory:/hoist/c1\n3:cpu,cpuacct:/hoist/c1\n2:blkio:/hoist/c1\n1:name=systemd:/x\n"
        let files = [
            "cpu,cpuacct/hoist/c1/cpuacct.usage": "123456789\n",
            "memory/hoist/c1/memory.usage_in_bytes": "10000\n",
            "memory/hoist/c1/memory.stat": "cache 99\ntotal_inactive_file 4000\n",
            "memory/hoist/c1/memory.limit_in_bytes": "9223372036854771712\n",
            "blkio/hoist/c1/blkio.throttle.io_service_bytes": "8:0 Read 100\n8:0 Write 30\n8:0 Sync 5\n8:16 Read 1\nTotal 136\n",
            "pids/hoist/c1/pids.current": "3\n",
        ]
        let sample = CgroupSample.parse(membership: membership) { files[$0] }
        #expect(sample == CgroupSample(cpuNanoseconds: 123_456_789, memoryUsage: 6000, memoryLimit: nil, blockRead: 101, blockWritten: 30, processes: 3))
    }

    @Test func v2FilesAreReadAsDockerCountsThem() {
        let files = [
            "hoist/c2/cpu.stat": "usage_usec 2500\nuser_usec 2000\n",
            "hoist/c2/memory.current": "8192\n",
            "hoist/c2/memory.stat": "anon 4096\ninactive_file 1024\n",
            "hoist/c2/memory.max": "65536\n",
            "hoist/c2/io.stat": "8:0 rbytes=10 wbytes=20 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n",
            "hoist/c2/pids.current": "2\n",
        ]
        let sample = CgroupSample.parse(membership: "0::/hoist/c2\n") { files[$0] }
        #expect(sample == CgroupSample(cpuNanoseconds: 2_500_000, memoryUsage: 7168, memoryLimit: 65536, blockRead: 11, blockWritten: 22, processes: 2))
        #expect(CgroupSample.parse(membership: "0::/hoist/c2\n") { $0 == "hoist/c2/memory.max" ? "max\n" : files[$0] }.memoryLimit == nil)
    }

    @Test func networkCountsLeaveLoopbackOut() {
        let text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
              eth0:    1200      10    0    0    0     0          0         0      300       3    0    0    0     0       0          0
            """
        #expect(CgroupSample.parseNetworkDevices(text) == (1200, 300))
    }
}
