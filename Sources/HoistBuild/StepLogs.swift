public import Foundation
public import HoistOCI

/// The whole output of every step of one build, kept on disk without a size limit (BuildKit
/// clips a step's log at 1 MiB; the progress view and a failure show only the last lines):
/// `N.log` holds step N's bytes exactly as its command wrote them, stdout and stderr in the
/// order they came, and `steps.json` lists the steps — numbered from 1 in the order they were
/// first reported, as plain progress numbers them — with their names and how each ended.
///
/// Put it in a build's way with ``recording(_:)``; ``read(from:)`` lists a directory's steps.
public final class StepLogs: @unchecked Sendable {
    /// One step of the build.
    public struct Step: Sendable, Hashable, Codable {
        /// How the step ended, or that it had not when the list was written.
        public enum Status: String, Sendable, Hashable, Codable {
            case running, done, cached, failed
        }

        /// The step's number, from 1.
        public var index: Int
        /// The step's name as progress shows it (`[2/3] RUN make`).
        public var name: String
        /// The vertex's digest.
        public var vertex: Digest
        public var status: Status
        /// Why it failed.
        public var error: String?
        /// The bytes its output file holds.
        public var size: Int64

        /// The file of the step's output in a log directory.
        public func logFile(in directory: URL) -> URL {
            directory.appendingPathComponent("\(index).log")
        }
    }

    /// The directory the logs are written to.
    public let directory: URL
    private let lock = NSLock()
    private var steps: [Step] = []
    private var indices: [Digest: Int] = [:]
    private var files: [Digest: FileHandle] = [:]
    private var failure: (any Error)?

    /// Starts an empty record in `directory`, made if missing (its old logs removed).
    public init(directory: URL) throws {
        self.directory = directory
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try writeList()
    }

    deinit {
        for file in files.values { try? file.close() }
    }

    /// `progress`, with every event and every chunk of output also kept here. Each event is
    /// kept and passed on in one go, so `progress` numbers the steps in the order they are here.
    public func recording(_ progress: ProgressReporter) -> ProgressReporter {
        ProgressReporter(
            { event in
                self.lock.withLock {
                    self.record(event)
                    progress.report(event)
                }
            },
            output: { vertex, stream, chunk in
                self.lock.withLock {
                    self.append(chunk, of: vertex)
                    // The text goes to `progress` once (and the bytes to a recorder behind it).
                    progress.output(of: vertex, stream: stream, chunk)
                }
            })
    }

    /// Closes the log files and writes the final list. Throws the first write that failed
    /// while the build ran (a full disk), so a short log is never taken for a whole one.
    public func close() throws {
        try lock.withLock {
            for file in files.values { try? file.close() }
            files = [:]
            try writeList()
            if let failure { throw failure }
        }
    }

    /// The steps listed in `directory`, by number.
    public static func read(from directory: URL) throws -> [Step] {
        let data = try Data(contentsOf: directory.appendingPathComponent("steps.json"))
        return try JSONDecoder().decode([Step].self, from: data)
    }

    private func record(_ event: ProgressEvent) {
        do {
            switch event {
            case .started(let vertex, let name, _): update(vertex, name) { $0.status = .running }
            case .cached(let vertex, let name): update(vertex, name) { $0.status = .cached }
            case .completed(let vertex, let name, _): update(vertex, name) { $0.status = .done }
            case .failed(let vertex, let name, let message):
                update(vertex, name) {
                    $0.status = .failed
                    $0.error = message
                }
            case .log, .warning: return
            }
            try writeList()
        } catch {
            failure = failure ?? error
        }
    }

    private func append(_ chunk: [UInt8], of vertex: Digest) {
        let index = indices[vertex] ?? number(vertex, name: "")
        do {
            let file: FileHandle
            if let open = files[vertex] {
                file = open
            } else {
                let url = steps[index].logFile(in: directory)
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw BuildError(.unavailable, "cannot write \(url.path)")
                }
                file = try FileHandle(forWritingTo: url)
                files[vertex] = file
            }
            try file.write(contentsOf: chunk)
            steps[index].size += Int64(chunk.count)
        } catch {
            failure = failure ?? error
        }
    }

    private func update(_ vertex: Digest, _ name: String, _ change: (inout Step) -> Void) {
        let index = indices[vertex] ?? number(vertex, name: name)
        if steps[index].name.isEmpty { steps[index].name = name }
        change(&steps[index])
    }

    /// The position of a step seen for the first time.
    private func number(_ vertex: Digest, name: String) -> Int {
        steps.append(Step(index: steps.count + 1, name: name, vertex: vertex, status: .running, error: nil, size: 0))
        indices[vertex] = steps.count - 1
        return steps.count - 1
    }

    /// Writes `steps.json` whole, by rename: a reader never sees half a list.
    private func writeList() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(steps).write(to: directory.appendingPathComponent("steps.json"), options: .atomic)
    }
}
