import Foundation
import Hoist
import Testing

/// What `hoist logs` picks and how it prints times (issue 19), without containers.
struct LogSelectionTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_700_000_000_123_456_789, "2023-11-14T22:13:20.123456789Z"),
        (1_700_000_000_120_000_000, "2023-11-14T22:13:20.12Z"),
        (1_700_000_000_000_000_001, "2023-11-14T22:13:20.000000001Z"),
    ])
    func timesPrintAsGosRFC3339Nano(nanoseconds: Int64, text: String) {
        #expect(LogEntry.rfc3339Nano(nanoseconds) == text)
        #expect(LogEntry(stream: .standardOutput, data: Data("x\n".utf8), nanoseconds: nanoseconds).timestamped == Data("\(text) x\n".utf8))
    }

    @Test func tailCountsBothStreamsTogetherAfterTheTimeBounds() {
        let entries = (1...6).map { LogEntry(stream: $0 % 2 == 0 ? .standardError : .standardOutput, data: Data("\($0)\n".utf8), nanoseconds: Int64($0) * 1_000_000_000) }
        #expect(LogEntry.selected(entries, LogOptions(tail: 2)).map(\.data) == [Data("5\n".utf8), Data("6\n".utf8)])
        #expect(LogEntry.selected(entries, LogOptions(tail: 0)).isEmpty)
        #expect(LogEntry.selected(entries, LogOptions()).count == 6)
        // since is inclusive, until exclusive, as Docker's; the tail counts what is left.
        let bounded = LogOptions(tail: 1, since: Date(timeIntervalSince1970: 2), until: Date(timeIntervalSince1970: 5))
        #expect(LogEntry.selected(entries, bounded).map(\.data) == [Data("4\n".utf8)])
        #expect(LogEntry.selected(entries, LogOptions(since: Date(timeIntervalSince1970: 2), until: Date(timeIntervalSince1970: 5))).count == 3)
        // Output of unknown time is kept.
        #expect(LogOptions(since: Date()).admits(nil))
    }

    /// Docker's daemon reads a tail that is not a count as all lines.
    @Test func tailIsACountOrAll() {
        #expect(LogOptions.tailCount("all") == nil)
        #expect(LogOptions.tailCount("-1") == nil)
        #expect(LogOptions.tailCount("3") == 3)
        #expect(LogOptions.tailCount("three") == nil)
    }

    @Test func psRowsAreSplitAsDockersDaemonSplitsThem() throws {
        let text = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 10:00 ?        00:00:01 /sbin/init splash
            daemon      4242    4240  0 10:01 ?        00:00:00 sleep 1000
            root        4300       1  0 10:02 pts/0    00:00:00 bash

            """
        let list = try ContainerProcesses.parse(psOutput: text, pids: [4242])
        #expect(list.titles == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
        #expect(list.processes == [["daemon", "4242", "4240", "0", "10:01", "?", "00:00:00", "sleep 1000"]])
        #expect(throws: ClientError.self) { try ContainerProcesses.parse(psOutput: "CMD\nsleep\n", pids: [1]) }
    }

    @Test func cpuShareIsDockers() {
        #expect(ContainerStats.cpuPercent(containerDelta: 5e8, systemDelta: 2e9, onlineCPUs: 2) == 50)
        #expect(ContainerStats.cpuPercent(containerDelta: 0, systemDelta: 2e9, onlineCPUs: 2) == 0)
        #expect(ContainerStats(cpuPercent: 0, memoryUsage: 50, memoryLimit: 200, networkReceived: 0, networkSent: 0, blockRead: 0,
                               blockWritten: 0, processes: 0).memoryPercent == 25)
    }
}
