import Foundation
import HoistTestSupport
import Testing

/// A crash of `hoist` says what happened and asks for a report, with the command, instead of
/// dying silently.
///
/// The crash is a real signal sent to a real `hoist` waiting on its standard input, not a code
/// path only a test can take: a Swift trap is a `ud2` (SIGILL) on x86-64 and a `brk` (SIGTRAP)
/// on arm64, which the kernel delivers to the same handler as `kill` does — the handler does
/// not look at where a signal came from.
@Suite("hoist crash report")
struct CrashReportTests {
    @Test(arguments: [SIGILL, SIGTRAP, SIGSEGV])
    func aCrashSaysSoWithTheCommandAndKeepsItsSignal(signal: Int32) async throws {
        let directory = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Interop.hoistExecutable)
        process.arguments = ["login", "--username", "crash-test", "--password-stdin", "127.0.0.1:9"]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOIST_ROOT": directory.url.path]) { $1 }
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Ready once it waits on its input: main has installed the handler by then (before that,
        // the Swift runtime's own handler would take the signal).
        var waited = 0
        while !Self.isReadingAPipe(process.processIdentifier), process.isRunning, waited < 3000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(Self.isReadingAPipe(process.processIdentifier), "hoist never waited on its input")
        kill(process.processIdentifier, signal)
        waited = 0
        while process.isRunning, waited < 3000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        if process.isRunning {
            Issue.record("hoist did not end after signal \(signal)")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try input.fileHandleForWriting.close()

        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal,
                "hoist ended with \(process.terminationReason) \(process.terminationStatus)")
        #expect(report.hasPrefix("hoist crashed: "), "stderr: \(report)")
        #expect(report.contains("please report it"), "stderr: \(report)")
        #expect(report.contains("login --username crash-test --password-stdin 127.0.0.1:9"), "stderr: \(report)")
    }

    /// Whether a thread of process `pid` is blocked reading a pipe (its kernel wait channel).
    static func isReadingAPipe(_ pid: Int32) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.contains { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/wchan", encoding: .utf8)) ?? "").contains("pipe_read")
        }
    }
}
