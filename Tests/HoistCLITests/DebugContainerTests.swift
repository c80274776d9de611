import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Synchronization
import Testing

/// Debug containers on solved results (BuildKit's gateway containers), through real runc.
@Suite("Debug containers", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc")))
struct DebugContainerTests {
    let fixture: BusyboxFixture

    init() throws {
        fixture = try BusyboxFixture()
    }

    /// The state the tests look into: a file, a directory to start in, a variable.
    private var result: BuildState {
        BuildState.image("busybox")
            .mkfile("/data/note", contents: Array("original\n".utf8))
            .workdir("/data")
            .env("A", "from-state")
    }

    @Test func processesRunOnASnapshotOfTheResultWithItsSettings() async throws {
        let solved = try await fixture.client.solve(result)
        let tools = try await fixture.client.solve(BuildState.scratch.mkfile("/tool", contents: Array("tool\n".utf8)))
        let container = try await solved.newContainer(mounts: [tools.mounted(at: "/tools")])

        let output = Output()
        let errors = Output()
        let process = try await container.start(
            ["sh", "-c", "pwd; echo $A $B; cat /tools/tool; cat; echo oops >&2; echo changed > note; cat note; touch /tools/x || echo read-only; exit 7"],
            environment: ["B=extra"], standardInput: .data(Data("from stdin\n".utf8)),
            standardOutput: output.append, standardError: errors.append)
        #expect(try await process.wait() == 7)
        #expect(output.text == "/data\nfrom-state extra\ntool\nfrom stdin\nchanged\nread-only\n", "stderr: \(errors.text)")
        #expect(errors.text.hasPrefix("oops\n"), "\(errors.text)")

        // A later process sees the container's writes; the result never does.
        let later = Output()
        let user = try await container.start(["sh", "-c", "id -u; cat note"], user: "65534", workingDirectory: "/data", standardOutput: later.append)
        #expect(try await user.wait() == 0)
        #expect(later.text == "65534\nchanged\n")
        await container.release()
        #expect(String(decoding: try solved.readFile("/data/note"), as: UTF8.self) == "original\n")
        #expect(try tools.readDirectory("/") == ["tool"], "a read-only mount took no writes")
    }

    @Test func interactiveInputSignalsAndRelease() async throws {
        let container = try await fixture.client.solve(result).newContainer()
        let output = Output()
        let reader = try await container.start(["sh", "-c", "read line; echo got $line"], standardInput: .interactive, standardOutput: output.append)
        try reader.write(Data("typed\n".utf8))
        reader.closeInput()
        #expect(try await reader.wait() == 0)
        #expect(output.text == "got typed\n")
        #expect(throws: ClientError.self) { try reader.write(Data("late".utf8)) }

        // The process is the container's first: without a handler it would ignore SIGTERM.
        let trapped = Output()
        let sleeper = try await container.start(
            ["sh", "-c", "trap 'echo caught TERM; exit 3' TERM; echo ready; while true; do sleep 0.05; done"], standardOutput: trapped.append)
        for _ in 0..<200 where !trapped.text.contains("ready") { try await Task.sleep(nanoseconds: 10_000_000) }
        try sleeper.signal("SIGTERM")
        #expect(try await sleeper.wait() == 3)
        #expect(trapped.text == "ready\ncaught TERM\n")
        #expect(throws: ClientError.self) { try sleeper.signal("TERM") }
        #expect(throws: ClientError.self) { try sleeper.resize(TerminalSize(columns: 10, rows: 10)) }

        // Releasing kills what still runs and leaves nothing mounted.
        let left = try await container.start(["sleep", "60"])
        let started = Date()
        await container.release()
        #expect(try await left.wait() == 137)
        #expect(Date().timeIntervalSince(started) < 30)
        await #expect(throws: ClientError.self) { _ = try await container.start(["true"]) }
        let debugDirectories = try FileManager.default.contentsOfDirectory(atPath: fixture.client.store.root.temporary.path)
            .filter { $0.hasPrefix("debug-") }
        #expect(debugDirectories.isEmpty, "\(debugDirectories)")
    }

    @Test func aTerminalHasTheSizeItIsGivenAndResizedTo() async throws {
        let container = try await fixture.client.solve(result).newContainer()
        let output = Output()
        // The runtime sizes the container's terminal just after starting it, and again when it
        // gets SIGWINCH, each on its own time: the shell waits for a line before each look.
        let shell = try await container.start(
            ["sh", "-c", "read line; stty size; read line; stty size; echo \"$line\" >&2"], terminal: TerminalSize(columns: 80, rows: 24),
            standardOutput: output.append)
        try await Task.sleep(nanoseconds: 200_000_000)
        try shell.write(Data("\n".utf8))
        try await Task.sleep(nanoseconds: 200_000_000)
        try shell.resize(TerminalSize(columns: 132, rows: 43))
        try await Task.sleep(nanoseconds: 200_000_000)
        try shell.write(Data("typed\n".utf8))
        #expect(try await shell.wait() == 0)
        let lines = output.text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.filter { $0.contains(" ") } == ["24 80", "43 132"], "\(output.text.debugDescription)")
        #expect(lines.last == "typed", "stderr comes through the terminal too: \(output.text.debugDescription)")
        await container.release()
    }

    @Test func aCommandMissingFromTheResultIsNotFound() async throws {
        let container = try await fixture.client.solve(result).newContainer()
        await #expect {
            _ = try await container.start(["/no/such/command"])
        } throws: { error in
            (error as? any HoistError)?.code == .notFound
        }
        await #expect(throws: ClientError.self) { _ = try await container.start([]) }
        await container.release()
        await #expect(throws: ClientError.self) {
            _ = try await fixture.client.solve(result).newContainer(mounts: [try await fixture.client.solve(result).mounted(at: "relative")])
        }
    }
}

/// Output gathered from a handler called on another thread.
final class Output: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }

    var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
}
