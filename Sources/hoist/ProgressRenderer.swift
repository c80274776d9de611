import ArgumentParser
import Foundation
import Hoist
import HoistBuild
import HoistOCI
import HoistRegistry

/// Shows the progress of builds, pulls and pushes as BuildKit's CLI does: `plain` (numbered
/// lines, for CI and logs), `rawjson` (one JSON event per line, for tools), `tty` (a live view
/// redrawn in place) or `quiet`.
final class ProgressRenderer: @unchecked Sendable {
    enum Mode: String, CaseIterable, ExpressibleByArgument {
        case auto, plain, tty, rawjson, quiet
    }

    private let mode: Mode
    private let lock = NSLock()
    private let output: FileHandle
    private var numbers: [Digest: Int] = [:]
    private var names: [Digest: String] = [:]
    private var started: [Digest: Date] = [:]
    private var finished: [Digest: String] = [:]
    private var lastLines: [Digest: [String]] = [:]
    /// Warnings, printed when the build is over.
    private var warnings: [BuildWarning] = []
    private var order: [Digest] = []
    /// A running vertex's status instead of its elapsed time (bytes moved, for transfers).
    private var status: [Digest: String] = [:]
    private var latestTransfer: [Digest: TransferProgress] = [:]
    /// The last status of each layer of a pull or push the Docker daemon makes.
    private var daemonStatus: [String: String] = [:]
    private var lastDraw = Date.distantPast
    private var drawnLines = 0
    private let begin = Date()

    init(mode: Mode, output: FileHandle = .standardError) {
        let isTerminal = isatty(output.fileDescriptor) == 1
        self.mode = mode == .auto ? (isTerminal ? .tty : .plain) : mode
        self.output = output
    }

    var reporter: ProgressReporter {
        ProgressReporter { event in self.handle(event) }
    }

    /// Draws the final state (the TTY view's last frame).
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if mode == .tty { redraw(final: true) }
        // As BuildKit does, warnings come after the steps, where they are not scrolled away.
        if !warnings.isEmpty && (mode == .tty || mode == .plain) {
            let count = warnings.count == 1 ? "1 warning" : "\(warnings.count) warnings"
            write(" \(count) found:\n" + warnings.map { " - \($0)\n" }.joined())
            warnings = []
        }
    }

    private func handle(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch mode {
        case .rawjson: writeJSON(event)
        case .tty: track(event); redraw(final: false)
        case .quiet: break
        default: writePlain(event)
        }
    }

    /// Receives pull and push events: one line per blob, in the same modes as builds.
    var transferReporter: TransferProgressHandler {
        { event in self.handle(transfer: event) }
    }

    private func handle(transfer event: TransferProgress) {
        lock.lock()
        defer { lock.unlock() }
        let previous = latestTransfer[event.digest]
        latestTransfer[event.digest] = event
        let phaseChanged = previous?.phase != event.phase
        let label = Self.label(event)
        switch mode {
        case .quiet, .auto:
            return
        case .plain:
            guard phaseChanged else { return }
            write("#\(number(event.digest, event.digest.shortID)) \(event.digest.shortID) \(label)\n")
        case .rawjson:
            // Byte counts arrive per chunk; a line a megabyte is enough for a reader.
            guard phaseChanged || event.completed - (previous?.completed ?? 0) >= 1 << 20 || event.completed == event.total else {
                latestTransfer[event.digest] = previous
                return
            }
            let object: [String: Any] = [
                "event": "transfer", "time": ISO8601DateFormatter().string(from: Date()), "digest": event.digest.description,
                "mediaType": event.mediaType.rawValue, "phase": event.phase.rawValue, "completed": event.completed,
                "total": event.total,
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                output.write(data + Data("\n".utf8))
            }
        case .tty:
            _ = number(event.digest, event.digest.shortID)
            switch event.phase {
            case .complete, .alreadyPresent, .mounted: finished[event.digest] = label
            default: status[event.digest] = label
            }
            let now = Date()
            guard phaseChanged || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            redraw(final: false)
        }
    }

    /// Receives the steps of a pull or push the Docker daemon makes: a line per change of a
    /// layer's status (the daemon's words), or a JSON event per line.
    var daemonReporter: @Sendable (DaemonTransferProgress) -> Void {
        { event in self.handle(daemon: event) }
    }

    private func handle(daemon event: DaemonTransferProgress) {
        lock.lock()
        defer { lock.unlock() }
        let item = event.item ?? ""
        guard daemonStatus[item] != event.status, !event.status.isEmpty else { return }
        daemonStatus[item] = event.status
        switch mode {
        case .quiet, .auto:
            return
        case .plain, .tty:
            write((event.item.map { "\($0): " } ?? "") + event.status + "\n")
        case .rawjson:
            var object: [String: Any] = [
                "event": "daemon-transfer", "time": ISO8601DateFormatter().string(from: Date()), "status": event.status,
            ]
            object["item"] = event.item
            object["completed"] = event.completed
            object["total"] = event.total
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                output.write(data + Data("\n".utf8))
            }
        }
    }

    private static func label(_ event: TransferProgress) -> String {
        switch event.phase {
        case .waiting: "Waiting"
        case .downloading: "Downloading \(Display.size(event.completed))/\(Display.size(event.total))"
        case .uploading: "Pushing \(Display.size(event.completed))/\(Display.size(event.total))"
        case .retrying: "Retrying"
        case .alreadyPresent: "Already exists"
        case .mounted: "Mounted from another repository"
        case .complete: "Complete"
        }
    }

    private func number(_ vertex: Digest, _ name: String) -> Int {
        if let number = numbers[vertex] { return number }
        let number = numbers.count + 1
        numbers[vertex] = number
        names[vertex] = name
        order.append(vertex)
        return number
    }

    // MARK: Plain

    private func writePlain(_ event: ProgressEvent) {
        switch event {
        case .started(let vertex, let name, let at):
            started[vertex] = at
            write("#\(number(vertex, name)) \(name)\n")
        case .cached(let vertex, let name):
            let n = number(vertex, name)
            write("#\(n) \(name)\n#\(n) CACHED\n")
        case .completed(let vertex, let name, let duration):
            write("#\(number(vertex, name)) DONE \(Self.seconds(duration))\n")
        case .failed(let vertex, let name, let message):
            write("#\(number(vertex, name)) ERROR: \(message)\n")
        case .warning(let warning):
            warnings.append(warning)
        case .log(let vertex, _, let text):
            let n = numbers[vertex] ?? 0
            let elapsed = Display.decimal(Date().timeIntervalSince(started[vertex] ?? begin), places: 3)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                write("#\(n) \(elapsed) \(line)\n")
            }
        }
    }

    // MARK: Raw JSON

    private func writeJSON(_ event: ProgressEvent) {
        var object: [String: Any] = ["time": ISO8601DateFormatter().string(from: Date())]
        switch event {
        case .started(let vertex, let name, _):
            object.merge(["event": "started", "vertex": vertex.description, "name": name]) { $1 }
        case .cached(let vertex, let name):
            object.merge(["event": "cached", "vertex": vertex.description, "name": name]) { $1 }
        case .completed(let vertex, let name, let duration):
            object.merge(["event": "completed", "vertex": vertex.description, "name": name,
                          "seconds": Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18]) { $1 }
        case .failed(let vertex, let name, let message):
            object.merge(["event": "failed", "vertex": vertex.description, "name": name, "error": message]) { $1 }
        case .log(let vertex, let stream, let text):
            object.merge(["event": "log", "vertex": vertex.description, "stream": stream.rawValue, "data": text]) { $1 }
        case .warning(let warning):
            object.merge(["event": "warning", "message": warning.message]) { $1 }
            if let rule = warning.rule { object["rule"] = rule }
            if let file = warning.file { object["file"] = file }
            if let line = warning.line { object["line"] = line }
            if let column = warning.column { object["column"] = column }
        }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
            output.write(data + Data("\n".utf8))
        }
    }

    // MARK: TTY

    private func track(_ event: ProgressEvent) {
        switch event {
        case .started(let vertex, let name, let at):
            _ = number(vertex, name)
            started[vertex] = at
        case .cached(let vertex, let name):
            _ = number(vertex, name)
            finished[vertex] = "CACHED"
        case .completed(let vertex, let name, let duration):
            _ = number(vertex, name)
            finished[vertex] = Self.seconds(duration)
        case .failed(let vertex, let name, _):
            _ = number(vertex, name)
            finished[vertex] = "ERROR"
        case .warning(let warning):
            warnings.append(warning)
        case .log(let vertex, _, let text):
            var lines = lastLines[vertex] ?? []
            lines += text.split(separator: "\n").map(String.init)
            lastLines[vertex] = Array(lines.suffix(6))
        }
    }

    private func redraw(final: Bool) {
        var lines = ["[+] \(latestTransfer.isEmpty ? "Building" : "Transferring") \(Display.decimal(Date().timeIntervalSince(begin), places: 1))s (\(finished.count)/\(order.count))\(final ? " FINISHED" : "")"]
        for vertex in order {
            let name = names[vertex] ?? ""
            if let status = finished[vertex] {
                lines.append(" => \(name)  \(status)")
            } else {
                let elapsed = status[vertex] ?? Display.decimal(Date().timeIntervalSince(started[vertex] ?? begin), places: 1) + "s"
                lines.append(" => \(name)  \(elapsed)")
                for line in lastLines[vertex] ?? [] { lines.append(" => => \(line)") }
            }
        }
        // Move up over the previous frame and clear it before drawing this one.
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
        text += lines.joined(separator: "\n") + "\n"
        drawnLines = lines.count
        write(text)
    }

    private func write(_ text: String) {
        output.write(Data(text.utf8))
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Display.decimal(value, places: 1) + "s"
    }
}
