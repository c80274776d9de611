#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistBackend
import HoistRuntime

/// A foreground run of a container with a restart policy (`hoist run --restart on-failure:2 …`
/// without `-d`). Docker's client stays attached while the daemon owns the container, so the
/// daemon restarts it even though a client was attached; here the monitor that supervises kept
/// containers started with `-d` takes the container over the same way, and the caller follows
/// its output until its first run ends.
extension NativeBackend {
    /// Starts `container` under the monitor with its restart policy, passes its output to the
    /// handlers as its logs grow (and the signals this process gets to it, with `--sig-proxy`),
    /// and returns the exit code of its first run; the monitor goes on restarting it as the
    /// policy says. Cancelling the task stops the following only: the container stays with its
    /// monitor, as a container does after `docker run` is detached.
    ///
    /// - Throws: ``ClientError`` `unsupported` for a terminal or standard input (the monitor has
    ///   neither), and what starting the container throws.
    func runUnderMonitor(_ container: StoredContainer, standardInput: Data?,
                         standardOutput: @escaping @Sendable (Data) -> Void,
                         standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        guard !container.configuration.settings.terminal, standardInput == nil else {
            throw ClientError(
                .unsupported,
                "container \(container.record.name) has a restart policy: its monitor gives it no terminal or input; run it with -d, or without -i/-t")
        }
        let files = container.files
        var output = LogTail(path: files.standardOutput)
        var errors = LogTail(path: files.standardError)
        let runsBefore = Self.runCount(files.exitHistory)
        let executor = RuncExecutor(store: store.root)
        let runtimeID = container.runtimeID
        let forwarder: SignalForwarder? = container.configuration.signalProxy == true
            ? SignalForwarder { signal in
                guard let name = SignalForwarder.name(of: signal) else { return true }
                return (try? executor.signal(runtimeID, name)) != nil
            }
            : nil
        defer { forwarder?.stop() }
        try await startContainer(container.record.id)
        while true {
            // The history first: once a run is in it, all that run wrote is in the logs.
            let ended = Self.exitCodes(files.exitHistory).dropFirst(runsBefore).first
            if let chunk = output.read() { standardOutput(chunk) }
            if let chunk = errors.read() { standardError(chunk) }
            if let ended { return ended }
            guard FileManager.default.fileExists(atPath: container.directory) else {
                throw ClientError(.notFound, "container \(container.record.name) was removed while it ran")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// The exit codes in a monitor's history file, oldest first.
    static func exitCodes(_ path: String) -> [Int32] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    /// How many runs a monitor's history file holds.
    static func runCount(_ path: String) -> Int { exitCodes(path).count }
}

/// What has been appended to a log file since it was last read, from where it ended when the
/// tail was made.
struct LogTail {
    let path: String
    private var offset: UInt64

    init(path: String) {
        self.path = path
        offset = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The bytes written since the last read, or nil when there are none.
    mutating func read() -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
        offset += UInt64(data.count)
        return data
    }
}
