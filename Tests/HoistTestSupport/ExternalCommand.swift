public import Foundation

/// Runs an external program for a test (skopeo, umoci, docker, tar …) and always waits for it.
public enum ExternalCommand {
    /// What a finished program left behind.
    public struct Output: Sendable {
        public let status: Int32
        public let standardOutput: Data
        public let standardError: Data
        public var text: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errorText: String { String(decoding: standardError, as: UTF8.self) }
    }

    /// The failure of a program that exited non-zero, with its stderr so the test says why.
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let output: Output
        public var description: String {
            "`\(command.joined(separator: " "))` exited \(output.status): \(output.errorText)\(output.text)"
        }
    }

    /// Starts `arguments` (a daemon a test keeps) in the background, its stdout and stderr
    /// appended to `logFile` (made when missing), no stdin; the caller stops it.
    public static func startLogged(_ arguments: [String], logFile: URL) throws -> Process {
        if !FileManager.default.fileExists(atPath: logFile.path) { FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `arguments` (the first is looked up on PATH unless it has a slash) and returns its
    /// output whatever its exit status.
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
                           directory: URL? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        // Drain both pipes concurrently so a chatty program never blocks on a full pipe.
        let errorReader = Thread.detachedReader(stderr.fileHandleForReading)
        if let input {
            try stdin.fileHandleForWriting.write(contentsOf: input)
            try stdin.fileHandleForWriting.close()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = errorReader.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: out, standardError: err)
    }

    /// Runs `arguments` and throws ``Failure`` unless it exits 0.
    @discardableResult
    public static func checked(_ arguments: [String], input: Data? = nil, environment: [String: String]? = nil,
                               directory: URL? = nil) throws -> Output {
        let output = try run(arguments, input: input, environment: environment, directory: directory)
        guard output.status == 0 else { throw Failure(command: arguments, output: output) }
        return output
    }
}

extension Thread {
    /// Reads `handle` to its end on a thread of its own.
    fileprivate static func detachedReader(_ handle: FileHandle) -> PendingRead {
        let pending = PendingRead()
        Thread.detachNewThread {
            pending.finish(handle.readDataToEndOfFile())
        }
        return pending
    }
}

/// The result of a read on another thread.
final class PendingRead: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: Data?

    func finish(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data!
    }
}

extension ExternalCommand.Output {
    /// Throws unless the program exited 0, with its stderr.
    public func checkedStatus() throws {
        guard status == 0 else { throw ExternalCommand.Failure(command: [], output: self) }
    }
}
