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
    /// The last lines each step wrote (the view shows 6 of a running step, 10 of a failed one).
    private var lastLines: [Digest: [String]] = [:]
    /// Failed steps and their errors, boxed with their output after the view as BuildKit does.
    private var failures: [(vertex: Digest, message: String)] = []
    /// Warnings, printed when the build is over.
    private var warnings: [BuildWarning] = []
    private var order: [Digest] = []
    /// The blobs of pulls and pushes: their lines and the whole transfer's bytes and rate.
    private var transfers = TransferTally()
    /// The last status of each layer of a pull or push the Docker daemon makes.
    private var daemonStatus: [String: String] = [:]
    private var lastDraw = Date.distantPast
    private var drawnLines = 0
    private let begin = Date()
    /// What the view's header says is going on (`Building`, `Pulling`, `Pushing`).
    private let title: String
    private var jsonMemory = SolveStatusJSON.Memory()
    /// Whether ``finish()`` has drawn the end.
    private var ended = false

    /// Colours as BuildKit's (running blue, failed red, warnings magenta): on a terminal only,
    /// and never when `NO_COLOR` is set (no-color.org).
    private let colours: Bool

    /// The terminal view where `output` is a terminal, else nothing: for verbs whose Docker
    /// counterpart shows progress only there (`load`, `save`).
    static func terminalOnly(_ output: FileHandle = .standardError) -> Mode {
        isatty(output.fileDescriptor) == 1 ? .tty : .quiet
    }

    init(mode: Mode, title: String = "Building", output: FileHandle = .standardError,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        let isTerminal = isatty(output.fileDescriptor) == 1
        self.mode = mode == .auto ? (isTerminal ? .tty : .plain) : mode
        self.title = title
        self.output = output
        colours = self.mode == .tty && isTerminal && (environment["NO_COLOR"] ?? "").isEmpty
    }

    var reporter: ProgressReporter {
        ProgressReporter { event in self.handle(event) }
    }

    /// Draws the final state (the TTY view's last frame), once: a later call (after a shell
    /// on a failed step ended the view) does nothing.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return }
        ended = true
        if mode == .tty && !order.isEmpty {
            redraw(final: true)
            writeFailures()
        }
        if mode == .plain && !transfers.isEmpty {
            write("total: \(transfers.total())\n")
        }
        // As BuildKit does, warnings come after the steps, where they are not scrolled away.
        if !warnings.isEmpty && (mode == .tty || mode == .plain) {
            let count = warnings.count == 1 ? "1 warning" : "\(warnings.count) warnings"
            write(paint(" \(count) found:", TerminalLine.magenta) + "\n" + warnings.map { " - \($0)\n" }.joined())
            warnings = []
        }
    }

    /// Runs `body` and draws the final state however it ends, before anything else is printed
    /// (a line printed under the view would make its last redraw land on the wrong row).
    func finishing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            finish()
            return value
        } catch {
            finish()
            throw error
        }
    }

    private func handle(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch mode {
        case .rawjson: writeJSON(event)
        case .tty: track(event); if !ended { redraw(final: false) }
        case .quiet: break
        default: writePlain(event)
        }
    }

    /// Receives a backend's pull and push events, whichever kind it reports.
    var transferEventReporter: TransferEventHandler {
        { event in
            switch event {
            case .blob(let progress): self.handle(transfer: progress)
            case .daemon(let progress):
                // On a terminal a daemon's layer gets the bar a blob gets; its other lines are not shown there.
                guard self.mode == .tty else { return self.handle(daemon: progress) }
                if let blob = self.blob(of: progress) { self.handle(transfer: blob) }
            }
        }
    }

    /// Receives pull and push events: one line per blob, in the same modes as builds.
    var transferReporter: TransferProgressHandler {
        { event in self.handle(transfer: event) }
    }

    private func handle(transfer event: TransferProgress) {
        lock.lock()
        defer { lock.unlock() }
        let previous = transfers.latest[event.digest]
        if mode == .rawjson {
            // Byte counts arrive per chunk; a line a megabyte is enough for a reader.
            guard previous?.phase != event.phase || event.completed - (previous?.completed ?? 0) >= 1 << 20
                || event.completed == event.total
            else { return }
            _ = transfers.record(event)
            write(SolveStatusJSON.line(for: event, memory: &jsonMemory) + "\n")
            return
        }
        let phaseChanged = transfers.record(event)
        switch mode {
        case .quiet, .auto, .rawjson:
            return
        case .plain:
            guard phaseChanged else { return }
            write("#\(number(event.digest, event.digest.shortID)) \(event.digest.shortID) \(Self.label(event))\n")
        case .tty:
            _ = number(event.digest, event.digest.shortID)
            if TransferTally.isDone(event.phase) { finished[event.digest] = "" }
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

    /// A daemon's step on a layer (`a1b2c3d4e5f6: Downloading`, `Pushed` …) as a blob's
    /// progress, for the bars; nil for its other lines (`Pulling from …`, `Digest: …`).
    private func blob(of event: DaemonTransferProgress) -> TransferProgress? {
        // The daemon names a layer by its ID's first 12 hex digits: the line shows just those.
        guard let item = event.item, item.count == 12,
            let digest = try? Digest(parsing: "sha256:" + item + String(repeating: "0", count: 52))
        else { return nil }
        let known = lock.withLock { transfers.latest[digest] }
        let total = event.total ?? known?.total ?? 0
        let phase: TransferProgress.Phase
        switch event.status {
        case "Downloading", "Extracting": phase = .downloading
        case "Pushing": phase = .uploading
        case "Download complete", "Verifying Checksum", "Pull complete", "Pushed": phase = .complete
        case "Already exists", "Layer already exists": phase = .alreadyPresent
        case _ where event.status.hasPrefix("Mounted from"): phase = .mounted
        default: phase = .waiting
        }
        let completed = phase == .complete ? total : event.completed ?? known?.completed ?? 0
        // Extracting counts again from zero: a finished download stays finished on the bar.
        if known?.phase == .complete, phase != .complete { return nil }
        return TransferProgress(digest: digest, mediaType: .ociLayer, phase: phase, completed: completed, total: total)
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
            write(SolveStatusJSON.line(daemonItem: event.item, status: event.status, completed: event.completed, total: event.total) + "\n")
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
        case .complete: "Complete \(Display.size(event.total))"
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
        write(SolveStatusJSON.line(for: event, memory: &jsonMemory) + "\n")
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
        case .failed(let vertex, let name, let message):
            _ = number(vertex, name)
            finished[vertex] = "ERROR"
            failures.append((vertex, message))
        case .warning(let warning):
            warnings.append(warning)
        case .log(let vertex, _, let text):
            var lines = lastLines[vertex] ?? []
            lines += text.split(separator: "\n").map(TerminalLine.printable)
            lastLines[vertex] = Array(lines.suffix(10))
        }
    }

    /// Draws the view over the previous frame. Every line is cut to the terminal's width (never
    /// wrapped), so moving up by the number of lines drawn always lands on the frame's top.
    private func redraw(final: Bool) {
        let width = TerminalLine.width(of: output.fileDescriptor)
        let progress = "(\(finished.count)/\(order.count))\(final ? " FINISHED" : "")"
        let title = "[+] \(title) \(Display.decimal(Date().timeIntervalSince(begin), places: 1))s "
        var lines = [TerminalLine.fit(title + progress, width: width)]
        for vertex in order {
            let name = names[vertex] ?? ""
            if let transfer = transfers.latest[vertex] {
                let line = transfers.line(vertex, width: width)
                lines.append(TransferTally.isDone(transfer.phase) ? line : paint(line, TerminalLine.blue))
            } else if let status = finished[vertex] {
                let line = TerminalLine.fit(" => \(name)", right: status, width: width)
                lines.append(status == "ERROR" ? paint(line, TerminalLine.red) : line)
            } else {
                let elapsed = Display.decimal(Date().timeIntervalSince(started[vertex] ?? begin), places: 1) + "s"
                lines.append(paint(TerminalLine.fit(" => \(name)", right: elapsed, width: width), TerminalLine.blue))
                for line in (lastLines[vertex] ?? []).suffix(6) { lines.append(TerminalLine.fit(" => => \(line)", width: width)) }
            }
        }
        if !transfers.isEmpty { lines.append(TerminalLine.fit(" => total", right: transfers.total(), width: width)) }
        // Move up over the previous frame and clear it before drawing this one.
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)F\u{1B}[J" : ""
        text += lines.joined(separator: "\n") + "\n"
        drawnLines = lines.count
        write(text)
    }

    /// Each failed step's name, the tail of its output and its error, boxed as BuildKit does.
    private func writeFailures() {
        for (vertex, message) in failures {
            var text = "------\n > \(names[vertex] ?? ""):\n"
            for line in lastLines[vertex] ?? [] { text += line + "\n" }
            text += "------\n" + paint("ERROR: \(message)", TerminalLine.red) + "\n"
            write(text)
        }
        failures = []
    }

    private func paint(_ text: String, _ colour: String) -> String {
        colours ? colour + text + TerminalLine.reset : text
    }

    private func write(_ text: String) {
        output.write(Data(text.utf8))
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Display.decimal(value, places: 1) + "s"
    }
}
