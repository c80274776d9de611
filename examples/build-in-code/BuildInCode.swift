// A build written in Swift instead of a Dockerfile, as a program that embeds Hoist does it:
// two stages, an intermediate result read without making an image, a debug container on that
// result, then the final image exported and run.
//
//     scripts/make-busybox-rootfs.sh /tmp/rootfs.tar
//     swift run build-in-code /tmp/rootfs.tar      # as root: steps run with runc
//
// The store is $HOIST_ROOT's (as for `hoist`); the rootfs tar is imported as `busybox` when
// the store has no such image.
import Foundation
import Hoist

@main
struct BuildInCode {
    static func main() async {
        do {
            try await run(rootfs: CommandLine.arguments.dropFirst().first)
        } catch {
            FileHandle.standardError.write(Data("build-in-code: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(rootfs: String?) async throws {
        let client = try Client()
        if (try? client.inspect("busybox")) == nil {
            guard let rootfs else {
                throw ExampleError("no busybox image in the store: pass a rootfs tar (scripts/make-busybox-rootfs.sh makes one)")
            }
            try client.importImage(rootfs: URL(fileURLWithPath: rootfs), as: "busybox", changes: ["CMD [\"sh\"]"])
            print("imported \(rootfs) as busybox")
        }
        let base = try await client.resolveImageConfig("busybox")
        print("base image busybox: \(base.os)/\(base.architecture), cmd \(base.config?.cmd ?? [])")

        // Stage one: make something, with a cache mount and a tmpfs as RUN --mount gives them.
        let builder = BuildState.image("busybox")
            .mkfile("/src/greeting.txt", contents: Array("hello from a build written in Swift\n".utf8))
            .workdir("/src")
            .env("STAGE", "builder")
            .run(["sh", "-c", "tr a-z A-Z < greeting.txt > GREETING && wc -c < GREETING > size && echo $STAGE > /tmp/stage && cp /tmp/stage made-by"],
                 mounts: [.cache(id: "build-in-code", destination: "/root/.cache"), .tmpfs(destination: "/tmp")])

        // Its result, read without exporting an image.
        let intermediate = try await client.solve(builder)
        let greeting = String(decoding: try intermediate.readFile("/src/GREETING"), as: UTF8.self)
        print("intermediate /src: \(try intermediate.readDirectory("/src").joined(separator: " "))")
        print("intermediate /src/GREETING: \(greeting.trimmingCharacters(in: .newlines))")
        print("intermediate /src/GREETING bytes 0..<5: \(String(decoding: try intermediate.readFile("/src/GREETING", range: 0..<5), as: UTF8.self))")
        print("intermediate /src/size: \(String(decoding: try intermediate.readFile("/src/size"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) bytes")

        // A debug container on that result: processes run on a snapshot of it.
        let container = try await intermediate.newContainer()
        let output = Collected()
        let process = try await container.start(
            ["sh", "-c", "echo \"$STAGE in $(pwd) as $(id -u), reading: $(cat)\"; echo scribble > GREETING"],
            environment: ["GREETING_FROM=debug"], standardInput: .interactive, standardOutput: output.append)
        try process.write(Data("input from the program".utf8))
        process.closeInput()
        let code = try await process.wait()
        print("debug container said: \(output.text.trimmingCharacters(in: .newlines)) (exit \(code))")

        // A shell on a terminal: it reads a line, says its size, and again after a resize.
        let terminalOutput = Collected()
        let shell = try await container.start(
            ["sh", "-c", "read line; stty size; read line; stty size"], terminal: TerminalSize(columns: 80, rows: 24),
            standardOutput: terminalOutput.append)
        try await pause()
        try shell.write(Data("\n".utf8))
        try await pause()
        try shell.resize(TerminalSize(columns: 132, rows: 43))
        try await pause()
        try shell.write(Data("\n".utf8))
        _ = try await shell.wait()
        let sizes = terminalOutput.text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        print("debug terminal sizes: \(sizes.joined(separator: ", "))")

        // The first process of a container ignores signals it has no handler for, as in Docker.
        let waiting = Collected()
        let waiter = try await container.start(
            ["sh", "-c", "trap 'exit 3' TERM; echo ready; while true; do sleep 0.05; done"], standardOutput: waiting.append)
        while !waiting.text.contains("ready") { try await Task.sleep(nanoseconds: 10_000_000) }
        try waiter.signal("TERM")
        print("debug process after SIGTERM: exit \(try await waiter.wait())")
        await container.release()
        let unchanged = String(decoding: try intermediate.readFile("/src/GREETING"), as: UTF8.self)
        print("result unchanged after the debug container: \(unchanged == greeting)")

        // Stage two: only the product, in a small image.
        let app = BuildState.image("busybox")
            .copy(from: builder, "/src/GREETING", to: "/app/GREETING")
            .workdir("/app")
            .with { $0.cmd = ["cat", "GREETING"]; $0.labels = ["example": "build-in-code"] }
        let image = try await client.export(app, tags: ["build-in-code:latest"])
        print("exported build-in-code:latest \(image.id)")
        let run = try await client.image("build-in-code:latest").instantiate().run()
        print("run build-in-code:latest: \(run.standardOutput.trimmingCharacters(in: .newlines)) (exit \(run.exitCode))")
    }
}

/// Time for the runtime to pass a terminal's size on (it does so on its own time).
func pause() async throws {
    try await Task.sleep(nanoseconds: 200_000_000)
}

/// Output gathered from a process's handler, which runs on another thread.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
