#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import Synchronization

/// When each piece of a kept container's output was written, beside its two log files.
///
/// The log files stay exactly what the container wrote (so `hoist logs` prints its bytes
/// unchanged, and older containers' logs read as before); the index is a third file of one text
/// line per piece, `STREAM END-OFFSET UNIX-NANOSECONDS` (`1` stdout, `2` stderr; END-OFFSET that
/// file's size after the piece), appended by whoever copies the output: the logger of a
/// container in the background (`hoist_start_logger`, C) or this process for one in the
/// foreground (``Writer``). One index for both streams keeps the order in which stdout and
/// stderr were written, which two files alone lose; Docker's json-file driver gets the same by
/// writing a record per line, but then the logs are no longer the bytes the container wrote.
/// A line's time is that of the piece that ended it, as Docker stamps a line when it reads it;
/// a record that adds no bytes marks a stream's end, which is when an unfinished last line is
/// taken as written (Docker's copier stamps it then), and until then that line is not shown.
public enum LogIndex {
    /// A line of output (with its newline), or the unfinished end of one.
    public struct Piece: Sendable, Hashable {
        /// 1 for stdout, 2 for stderr.
        public var stream: Int
        public var data: Data
        /// When it was written, in nanoseconds since the epoch; nil for output the index does not
        /// cover (containers of earlier versions).
        public var nanoseconds: Int64?
    }

    /// One index line.
    struct Record: Equatable {
        var stream: Int
        var end: UInt64
        var nanoseconds: UInt64

        init(stream: Int, end: UInt64, nanoseconds: UInt64) {
            self.stream = stream
            self.end = end
            self.nanoseconds = nanoseconds
        }

        init?(_ line: Substring) {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let stream = Int(fields[0]), stream == 1 || stream == 2,
                  let end = UInt64(fields[1]), let nanoseconds = UInt64(fields[2])
            else { return nil }
            self.init(stream: stream, end: end, nanoseconds: nanoseconds)
        }

        var line: String { "\(stream) \(end) \(nanoseconds)\n" }
    }

    /// Appends a stream's output to its file and its record to the index, for output that
    /// passes through this process. Thread-safe: both streams' handlers share one writer, so
    /// the index has them in the order they came.
    public final class Writer: Sendable {
        private let state: Mutex<State>

        private struct State {
            var files: [Int32]
            var offsets: [UInt64]
            var index: Int32
        }

        public init(standardOutput: String, standardError: String, index: String) throws {
            var opened: [Int32] = []
            do {
                for path in [standardOutput, standardError, index] {
                    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
                    guard fd >= 0 else { throw RuntimeError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
                    opened.append(fd)
                }
            } catch {
                opened.forEach { close($0) }
                throw error
            }
            let offsets = opened.prefix(2).map { UInt64(max(0, lseek($0, 0, SEEK_END))) }
            state = Mutex(State(files: Array(opened.prefix(2)), offsets: offsets, index: opened[2]))
        }

        /// Records the end of both streams (see ``LogIndex``) and closes the files.
        deinit {
            state.withLock { state in
                for stream in 1...2 { Self.writeRecord(state.index, stream: stream, end: state.offsets[stream - 1]) }
                (state.files + [state.index]).forEach { close($0) }
            }
        }

        private static func writeRecord(_ index: Int32, stream: Int, end: UInt64) {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let record = Record(stream: stream, end: end, nanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
            _ = writeFully(Data(record.line.utf8), to: index)
        }

        /// Writes `data` of `stream` (1 stdout, 2 stderr) and its record.
        public func append(_ data: Data, stream: Int) {
            guard !data.isEmpty, stream == 1 || stream == 2 else { return }
            state.withLock { state in
                let fd = state.files[stream - 1]
                guard writeFully(data, to: fd) else { return }
                state.offsets[stream - 1] += UInt64(data.count)
                Self.writeRecord(state.index, stream: stream, end: state.offsets[stream - 1])
            }
        }
    }

    /// Reads a container's output as pieces in the order written, from where it last stopped:
    /// each ``read(final:)`` reads only what was added since (the files are never read twice).
    public struct Cursor: Sendable {
        let paths: [String]
        let indexPath: String?
        private var indexOffset: UInt64 = 0
        /// Bytes of each stream already turned into pieces or held in `pending`.
        private var consumed: [UInt64] = [0, 0]
        /// The unfinished line of each stream, and the time of its last part.
        private var pending: [Data] = [Data(), Data()]
        private var pendingTime: [Int64?] = [nil, nil]

        /// A cursor at the start of the logs; `index` nil (or a file that does not exist) reads
        /// the files without times, stdout first.
        public init(standardOutput: String, standardError: String, index: String?) {
            paths = [standardOutput, standardError]
            indexPath = index.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        }

        /// The pieces written since the last read. Lines are whole: an unfinished one waits for
        /// its end or its stream's, unless `final` (the container has ended) hands it over.
        public mutating func read(final: Bool) -> [Piece] {
            var pieces: [Piece] = []
            if let indexPath {
                let (records, length) = Self.records(indexPath, from: indexOffset)
                indexOffset += length
                for record in records {
                    let stream = record.stream - 1
                    let time = Int64(clamping: record.nanoseconds)
                    if record.end == consumed[stream] {
                        // The stream's end: its unfinished line is written now.
                        if !pending[stream].isEmpty {
                            pieces.append(Piece(stream: stream + 1, data: pending[stream], nanoseconds: time))
                            pending[stream] = Data()
                        }
                        continue
                    }
                    guard record.end > consumed[stream] else { continue }
                    let data = Self.bytes(paths[stream], from: consumed[stream], to: record.end)
                    consumed[stream] += UInt64(data.count)
                    pieces += split(stream: stream, data, time: time)
                }
            } else {
                for stream in 0..<2 {
                    let data = Self.bytes(paths[stream], from: consumed[stream], to: nil)
                    consumed[stream] += UInt64(data.count)
                    pieces += split(stream: stream, data, time: nil)
                }
            }
            if final {
                for stream in 0..<2 where !pending[stream].isEmpty {
                    pieces.append(Piece(stream: stream + 1, data: pending[stream], nanoseconds: pendingTime[stream]))
                    pending[stream] = Data()
                }
            }
            return pieces
        }

        /// Whole lines of `data` after the stream's pending bytes; the rest is kept pending.
        private mutating func split(stream: Int, _ data: Data, time: Int64?) -> [Piece] {
            var pieces: [Piece] = []
            var start = data.startIndex
            while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
                pieces.append(Piece(stream: stream + 1, data: pending[stream] + data[start...newline], nanoseconds: time))
                pending[stream] = Data()
                start = newline + 1
            }
            if start < data.endIndex {
                pending[stream] += data[start...]
                pendingTime[stream] = time
            }
            return pieces
        }

        /// The whole records of the index from `offset`, and how many bytes they took.
        static func records(_ path: String, from offset: UInt64) -> ([Record], UInt64) {
            let data = bytes(path, from: offset, to: nil)
            guard let last = data.lastIndex(of: UInt8(ascii: "\n")) else { return ([], 0) }
            let text = String(decoding: data[...last], as: UTF8.self)
            return (text.split(separator: "\n").compactMap(Record.init), UInt64(last - data.startIndex + 1))
        }

        /// The bytes of `path` from `offset` up to `end` (nil: its end).
        static func bytes(_ path: String, from offset: UInt64, to end: UInt64?) -> Data {
            guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
            defer { try? handle.close() }
            guard (try? handle.seek(toOffset: offset)) != nil else { return Data() }
            if let end {
                guard end > offset else { return Data() }
                return (try? handle.read(upToCount: Int(end - offset))) ?? Data()
            }
            return (try? handle.readToEnd()) ?? Data()
        }
    }
}
