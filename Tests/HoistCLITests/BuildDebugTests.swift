import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Synchronization
import Testing

/// Issue 21: every step's whole output kept for `hoist build logs`, and a shell on a failed
/// step (`hoist build --on-error=shell`, `Client.build(_:onStepFailure:)`), through real runc
/// and a real pseudo-terminal (`script`).
@Suite("Build logs and failed-step shells", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("script")))
struct BuildDebugTests {
    let directory: TemporaryDirectory
    let store: URL
    let context: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = try commandLineStoreWithBusybox(in: directory)
        context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
    }

    private func hoist(_ arguments: String...) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: store)
    }

    @Test(.timeLimit(.minutes(5))) func aStepsWholeOutputIsKeptByteForByte() throws {
        // 5 MiB of random bytes (not text: no newline or UTF-8 to lean on), printed by one step.
        var generator = SystemRandomNumberGenerator()
        let payload = Data((0..<(5 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try payload.write(to: context.appendingPathComponent("payload"))
        try Data("FROM busybox\nCOPY payload /payload\nRUN cat /payload\nRUN echo second; echo to-stderr >&2\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let built = try hoist("build", "--progress", "plain", "-t", "logs:1", context.path)
        #expect(built.status == 0, "\(built.errorText.suffix(2000))")

        let byName = try hoist("build", "logs", "RUN cat /payload")
        #expect(byName.status == 0, "\(byName.errorText)")
        #expect(byName.standardOutput.count == payload.count)
        let same = byName.standardOutput == payload
        #expect(same, "the step's output differs from what it printed")
        // Its number is the one plain progress gave it.
        let number = try #require(built.errorText.split(separator: "\n").first { $0.hasSuffix("RUN cat /payload") }?
            .dropFirst().prefix { $0 != " " })
        let byNumber = try hoist("build", "logs", String(number)).standardOutput == payload
        #expect(byNumber, "step \(number) is not the payload's")

        // Without a step: each that printed, under its number and name; stderr kept with stdout.
        let all = try hoist("build", "logs")
        #expect(all.standardOutput.count > payload.count)
        // The two streams are two pipes: their lines may come in either order.
        let tail = String(decoding: all.standardOutput.suffix(80), as: UTF8.self)
        #expect(tail.hasSuffix("RUN echo second; echo to-stderr >&2\nsecond\nto-stderr\n")
            || tail.hasSuffix("RUN echo second; echo to-stderr >&2\nto-stderr\nsecond\n"), "\(tail)")

        let missing = try hoist("build", "logs", "no such step")
        #expect(missing.status == 1 && missing.errorText.contains("no step named no such step"), "\(missing.errorText)")
        let ambiguous = try hoist("build", "logs", "RUN")
        #expect(ambiguous.status == 1 && ambiguous.errorText.contains("names 2 steps"), "\(ambiguous.errorText)")
    }

    /// A step that fails until /work/ready exists, with a variable, a working directory, a user,
    /// a file of the context and a cache mount.
    private func writeFailingBuild() throws {
        try Data("from the context\n".utf8).write(to: context.appendingPathComponent("input.txt"))
        try Data("""
            FROM busybox
            ENV STEP_VAR=from-the-step
            WORKDIR /work
            COPY input.txt /work/input.txt
            RUN --mount=type=cache,target=/cache echo cached > /cache/mark; test -f /work/ready || { echo not ready >&2; exit 3; }

            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
    }

    /// What a failed build must leave as it was: snapshots, images, containers, mounts under
    /// the store and the store's work directories.
    private func storeState() throws -> [String] {
        var lines: [String] = []
        for directory in ["snapshots", "containers", "tmp"] {
            let url = store.appendingPathComponent(directory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            lines += names.sorted().map { "\(directory)/\($0)" }
        }
        lines += try hoist("images", "-a", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").text.split(separator: "\n").map(String.init)
        lines += try hoist("ps", "-a", "-q", "--no-trunc").text.split(separator: "\n").map(String.init)
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        lines += mounts.split(separator: "\n").filter { $0.contains(store.path) }.map { "mount: \($0)" }
        return lines
    }

    @Test(.timeLimit(.minutes(5))) func aShellOnTheFailedStepThroughAPseudoTerminal() throws {
        try writeFailingBuild()
        let arguments = "--progress=plain \(context.path)"
        // Once without a shell: whatever a failing build leaves (its unpacked inputs) is there
        // before the state is taken.
        let plain = try hoist("build", "--progress", "plain", context.path)
        #expect(plain.status == 1 && plain.errorText.contains("not ready"), "\(plain.errorText)")
        let before = try storeState()

        let command = "HOIST_ROOT=\(store.path) \(Interop.hoistExecutable) build --on-error=shell \(arguments); echo build-exit=$?"
        let session = try TerminalSession(["script", "-qec", command, "/dev/null"])
        try session.wait(for: "exit to end the build")
        // Typed into the shell a line at a time (each waits for the last one's end, which only
        // its output spells out): what the step saw, the command again (failing), then fixed.
        session.type(#"pwd; cat input.txt; echo "var=$STEP_VAR"; cat /cache/mark; ls /work; echo "history=$(cat $HISTFILE)"; echo "end-$((0+1))""# + "\n")
        try session.wait(for: "end-1")
        session.type(#"sh -c "$HOIST_FAILED_COMMAND"; echo "again=$?"; echo "end-$((1+1))""# + "\n")
        try session.wait(for: "end-2")
        session.type(#"touch /work/ready; sh -c "$HOIST_FAILED_COMMAND"; echo "fixed=$?"; exit"# + "\n")
        let output = try session.finish()
        #expect(output.contains("/work\r\nfrom the context\r\nvar=from-the-step\r\ncached\r\ninput.txt\r\n"), "\(output)")
        #expect(output.contains("history=echo cached > /cache/mark; test -f /work/ready"), "\(output)")
        #expect(output.contains("not ready\r\nagain=3"), "\(output)")
        #expect(output.contains("fixed=0"), "\(output)")
        // The build fails after the shell, as it would have without it.
        #expect(output.contains("build-exit=1"), "\(output)")
        let after = try storeState()
        #expect(after == before, "gone: \(Set(before).subtracting(after).sorted()), new: \(Set(after).subtracting(before).sorted())")
    }

    @Test(.timeLimit(.minutes(5))) func theAPIHandsTheFailedStepsContainer() async throws {
        try writeFailingBuild()
        let client = try Client(root: StoreRoot(store), backend: .native)
        let seen = Mutex<String>("")
        await #expect(throws: BuildError.self) {
            try await client.build(BuildOptions(context: context)) { step in
                let output = Output()
                guard let process = try? await step.container.start(
                    ["sh", "-c", #"pwd; id -u; echo $STEP_VAR; cat input.txt; sh -c "$0" 2>&1; echo status=$?"#, step.commandLine],
                    standardOutput: output.append, standardError: output.append)
                else { return }
                _ = try? await process.wait()
                seen.withLock { $0 = "\(step.name)|\(step.error?.exitCode ?? -1)|\(output.text)" }
            }
        }
        let text = seen.withLock { $0 }
        #expect(text.hasPrefix("[stage-0 5/5] RUN echo cached > /cache/mark; test -f /work/ready"), "\(text)")
        #expect(text.hasSuffix("|3|/work\n0\nfrom-the-step\nfrom the context\nnot ready\nstatus=3\n"), "\(text)")
    }

    @Test(.timeLimit(.minutes(5))) func hoistDebugOpensAStepOfTheLastBuild() async throws {
        try Data("""
            FROM busybox
            ENV V=from-the-image
            RUN echo one > /one
            COPY Dockerfile /copied
            RUN echo two > /two

            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let built = try hoist("build", "--progress", "plain", context.path)
        #expect(built.status == 0, "\(built.errorText)")

        // On a terminal: the state before the step (its own file is not there yet), its
        // variable; the shell's exit code is the command's.
        let command = "HOIST_ROOT=\(store.path) \(Interop.hoistExecutable) debug 'RUN echo one'; echo debug-exit=$?"
        let session = try TerminalSession(["script", "-qec", command, "/dev/null"])
        try session.wait(for: "the command is in its history")
        session.type(#"ls /one; echo "var=$V"; echo "$HOIST_FAILED_COMMAND" | tr a-z A-Z; exit 3"# + "\n")
        let output = try session.finish()
        #expect(output.contains("No such file"), "\(output)")
        #expect(output.contains("var=from-the-image\r\nECHO ONE > /ONE\r\n"), "\(output)")
        #expect(output.contains("debug-exit=3"), "\(output)")

        // From Swift: a later step's state holds what the earlier steps made.
        let client = try Client(root: StoreRoot(store), backend: .native)
        let seen = Mutex<String>("")
        try await client.debugStep("RUN echo two") { step in
            let output = Output()
            guard let process = try? await step.container.start(["sh", "-c", "cat /one; ls /copied; test -e /two || echo no-two"], standardOutput: output.append)
            else { return }
            _ = try? await process.wait()
            seen.withLock { $0 = "\(step.error == nil)|\(output.text)" }
        }
        #expect(seen.withLock { $0 } == "true|one\n/copied\nno-two\n")
        await #expect {
            try await client.debugStep("COPY") { _ in }
        } throws: { error in
            (error as? any HoistError)?.code == .invalidArgument
        }
    }
}

/// A command on a pseudo-terminal of `script`'s: its output read as it comes, input typed.
private final class TerminalSession: Sendable {
    private let process: Process
    private let input: Pipe
    private let output = Output()

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        input = Pipe()
        let pipe = Pipe()
        process.standardInput = input
        process.standardOutput = pipe
        process.standardError = pipe
        let output = output
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
    }

    var text: String { output.text }

    /// Returns once the output holds `marker` (the suite's time limit guards a hang).
    func wait(for marker: String) throws {
        while !text.contains(marker) {
            guard process.isRunning else { throw ClientError(.failedPrecondition, "the session ended before \(marker): \(text)") }
            usleep(20_000)
        }
    }

    func type(_ text: String) {
        input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Waits for the command to end and returns all it wrote.
    func finish() throws -> String {
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        return text
    }
}
