import Foundation
import HoistRuntime
import HoistTestSupport
import Testing

@Suite("ExternalProcess")
struct ExternalProcessTests {
    @Test func collectsOutputAndStatus() async throws {
        let result = try await ExternalProcess("sh", ["-c", "echo out; echo err >&2; exit 3"]).run()
        #expect(result.status == .exited(3))
        #expect(result.outputText == "out\n" && result.errorText == "err\n")
    }

    @Test func checkedFailureCarriesStderr() async throws {
        let error = await #expect(throws: RuntimeError.self) {
            try await ExternalProcess("sh", ["-c", "echo 'something broke' >&2; exit 2"]).checked()
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("something broke") == true && error?.message.contains("exit status 2") == true,
                "\(String(describing: error))")
    }

    @Test func signalsAreReportedAs128PlusN() async throws {
        let result = try await ExternalProcess("sh", ["-c", "kill -TERM $$"]).run()
        #expect(result.status == .signalled(15) && result.status.code == 143)
    }

    @Test func missingProgramIsNotFound() async throws {
        let error = await #expect(throws: RuntimeError.self) { try await ExternalProcess("hoist-no-such-tool").run() }
        #expect(error?.code == .notFound)
    }

    @Test func inputDirectoryAndEnvironment() async throws {
        var process = ExternalProcess("sh", ["-c", "cat; pwd; echo $ONLY"])
        process.standardInput = .data(Data("piped\n".utf8))
        process.directory = "/usr"
        process.environment = ["ONLY": "this", "PATH": "/usr/bin:/bin"]
        let result = try await process.checked()
        #expect(result.outputText == "piped\n/usr\nthis\n")
    }

    @Test func cancellationKillsAndReaps() async throws {
        let marker = "hoist-cancel-\(UUID().uuidString)"
        let task = Task { try await ExternalProcess("sh", ["-c", "exec sleep 300 # \(marker)"]).run() }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("expected cancellation, got \(result)")
            return
        }
        #expect((error as? RuntimeError)?.code == .cancelled)
        let left = try ExternalCommand.run(["pgrep", "-f", marker]).text
        #expect(left.isEmpty, "still running: \(left)")
    }

    @Test func handlersSeeEveryByteInOrder() async throws {
        let received = OutputCollector()
        var process = ExternalProcess("sh", ["-c", "seq 1 200000"])
        process.standardOutput = .handler { received.append($0, error: false) }
        let result = try await process.run()
        #expect(result.status == .exited(0) && result.standardOutput.isEmpty)
        let expected = (1...200_000).map(String.init).joined(separator: "\n") + "\n"
        #expect(String(decoding: received.standardOutput, as: UTF8.self) == expected)
    }
}
