#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistBuild
import HoistOCI
import HoistRegistry

/// `--progress rawjson` as BuildKit writes it: one `SolveStatus` object per line — `vertexes`
/// (digest, name, started, completed, cached, error), `statuses` (transfers: id, name,
/// current, total), `logs` (vertex, stream 1 or 2, base64 data) and `warnings` (level, base64
/// short text, source range) — with RFC 3339 times to the nanosecond, and nothing else.
enum SolveStatusJSON {
    /// What the writer remembers between events: when each vertex started.
    struct Memory {
        var started: [Digest: String] = [:]
        var transfersStarted: [Digest: String] = [:]
    }

    static func line(for event: ProgressEvent, memory: inout Memory) -> String {
        let now = timestamp()
        switch event {
        case .started(let vertex, let name, _):
            memory.started[vertex] = now
            return encode(["vertexes": [["digest": vertex.description, "name": name, "started": now]]])
        case .cached(let vertex, let name):
            return encode(["vertexes": [["digest": vertex.description, "name": name, "cached": true, "started": now, "completed": now]]])
        case .completed(let vertex, let name, _):
            return encode(["vertexes": [["digest": vertex.description, "name": name, "started": memory.started[vertex] ?? now, "completed": now]]])
        case .failed(let vertex, let name, let message):
            return encode(["vertexes": [[
                "digest": vertex.description, "name": name, "started": memory.started[vertex] ?? now, "completed": now, "error": message,
            ]]])
        case .log(let vertex, let stream, let text):
            return encode(["logs": [[
                "vertex": vertex.description, "stream": stream == .stdout ? 1 : 2, "data": Data(text.utf8).base64EncodedString(),
                "timestamp": now,
            ]]])
        case .warning(let warning):
            var object: [String: Any] = [
                "level": 1,
                "short": Data(((warning.rule.map { "\($0): " } ?? "") + warning.message).utf8).base64EncodedString(),
                "detail": [String](),
            ]
            if let file = warning.file { object["sourceInfo"] = ["filename": file] }
            if let line = warning.line {
                let start: [String: Any] = ["line": line, "character": warning.column ?? 0]
                object["range"] = [["start": start, "end": start]]
            }
            return encode(["warnings": [object]])
        }
    }

    /// A blob of a pull or push as a status: id the digest, name its phase.
    static func line(for transfer: TransferProgress, memory: inout Memory) -> String {
        let now = timestamp()
        let started = memory.transfersStarted[transfer.digest] ?? now
        memory.transfersStarted[transfer.digest] = started
        var status: [String: Any] = [
            "id": transfer.digest.description, "name": transfer.phase.rawValue, "current": transfer.completed, "total": transfer.total,
            "timestamp": now, "started": started,
        ]
        switch transfer.phase {
        case .complete, .alreadyPresent, .mounted: status["completed"] = now
        default: break
        }
        return encode(["statuses": [status]])
    }

    /// A step of a pull or push the Docker daemon makes, as a status named by its words.
    static func line(daemonItem item: String?, status text: String, completed: Int64?, total: Int64?) -> String {
        var status: [String: Any] = ["id": item ?? "", "name": text, "timestamp": timestamp()]
        status["current"] = completed
        status["total"] = total
        return encode(["statuses": [status]])
    }

    private static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Now as RFC 3339 with nanoseconds (`2024-05-01T10:00:00.123456789Z`), as Go's
    /// `time.RFC3339Nano` (which drops trailing zeros of the fraction).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var fraction = String(format: "%09ld", now.tv_nsec)
        while fraction.last == "0" { fraction.removeLast() }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec) + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }
}
