#if canImport(Glibc)
    import Glibc
#endif
public import Foundation

/// A server a test runs (a registry, a token service) on a 127.0.0.1 port: started, waited for
/// until it listens, stopped and restarted at will, its output kept in a log file so a failing
/// test can show it. It is always stopped: by ``stop()``, or when the value is released.
public final class ServerProcess: @unchecked Sendable {
    /// What the server is, for messages.
    public let name: String
    public let arguments: [String]
    public let port: Int
    /// The address it listens on: 127.0.0.1, or a bridge a test made.
    public let host: String
    public let logFile: URL
    private let environment: [String: String]
    private let lock = NSLock()
    private var process: Process?

    /// Starts `arguments` and waits until `port` accepts connections.
    ///
    /// - Throws: when the program exits or does not listen within `timeout`, with its output.
    public init(name: String, arguments: [String], port: Int, host: String = "127.0.0.1", logFile: URL,
                environment: [String: String] = [:], timeout: TimeInterval = 20) throws {
        self.name = name
        self.arguments = arguments
        self.port = port
        self.host = host
        self.logFile = logFile
        self.environment = environment
        try start(timeout: timeout)
    }

    deinit { stop() }

    /// The server's output so far.
    public var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Whether the process is running.
    public var isRunning: Bool {
        lock.withLock { process?.isRunning ?? false }
    }

    /// Starts the server again after ``stop()``, on the same port and data.
    public func start(timeout: TimeInterval = 20) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if !FileManager.default.fileExists(atPath: logFile.path) {
            FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let output = try FileHandle(forWritingTo: logFile)
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.close()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(timeout)
        while !FreePort.isListening(port, host: host) {
            guard process.isRunning else {
                throw Failure(description: "\(name) exited with status \(process.terminationStatus) before listening on port \(port):\n\(log)")
            }
            guard Date() < deadline else {
                stop()
                throw Failure(description: "\(name) did not listen on port \(port) within \(Int(timeout)) s:\n\(log)")
            }
            usleep(50_000)
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after two seconds) and waits for it to exit.
    public func stop() {
        signalAndWait(SIGTERM, grace: 2)
    }

    /// Kills the server at once, as a crash or a pulled plug would.
    public func kill() {
        signalAndWait(SIGKILL, grace: 0)
    }

    private func signalAndWait(_ signal: Int32, grace: TimeInterval) {
        let current: Process? = lock.withLock {
            defer { process = nil }
            return process
        }
        guard let current, current.isRunning else { return }
        Glibc.kill(current.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(grace)
        while current.isRunning, Date() < deadline { usleep(20_000) }
        if current.isRunning { Glibc.kill(current.processIdentifier, SIGKILL) }
        current.waitUntilExit()
    }

    /// An error with the server's output in it.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `body`; when it throws, the error is wrapped with the server's log, so the test
    /// failure shows what the server said.
    public func explainingFailures<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw Failure(description: "\(error)\n--- \(name) log (\(logFile.path)) ---\n\(log.suffix(4000))")
        }
    }
}
