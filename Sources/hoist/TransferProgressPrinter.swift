import ArgumentParser
import Foundation
import HoistOCI
import HoistRegistry

/// How transfer progress is shown.
enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    /// `tty` on a terminal, else `plain`.
    case auto
    /// One line per blob, rewritten in place.
    case tty
    /// A line when a blob changes phase.
    case plain
    /// Every event as a JSON object on a line of its own.
    case rawjson
    /// Nothing.
    case quiet
}

/// Shows pull and push progress per blob on stderr, in the chosen mode.
final class TransferProgressPrinter: @unchecked Sendable {
    private let mode: ProgressMode
    private let lock = NSLock()
    private var order: [Digest] = []
    private var latest: [Digest: TransferProgress] = [:]
    private var linesDrawn = 0
    private var lastDraw = Date.distantPast

    init(mode: ProgressMode) {
        self.mode = mode == .auto ? (isatty(STDERR_FILENO) == 1 ? .tty : .plain) : mode
    }

    func handle(_ event: TransferProgress) {
        lock.lock()
        defer { lock.unlock() }
        let previous = latest[event.digest]
        if previous == nil { order.append(event.digest) }
        latest[event.digest] = event
        switch mode {
        case .quiet, .auto:
            return
        case .plain:
            guard previous?.phase != event.phase else { return }
            write("\(event.digest.shortID): \(Self.label(event))\n")
        case .rawjson:
            // Byte counts arrive per chunk; every megabyte is enough for a reader.
            if event.phase == previous?.phase, event.phase == .downloading || event.phase == .uploading,
                event.completed - (previous?.completed ?? 0) < 1 << 20, event.completed < event.total
            {
                latest[event.digest] = previous
                return
            }
            let object: [String: Any] = [
                "digest": event.digest.description, "mediaType": event.mediaType.rawValue, "phase": event.phase.rawValue,
                "completed": event.completed, "total": event.total,
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                write(String(decoding: data, as: UTF8.self) + "\n")
            }
        case .tty:
            let now = Date()
            guard previous?.phase != event.phase || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            var text = linesDrawn > 0 ? "\u{1B}[\(linesDrawn)A" : ""
            for digest in order {
                guard let state = latest[digest] else { continue }
                text += "\u{1B}[2K\(digest.shortID): \(Self.label(state))\n"
            }
            linesDrawn = order.count
            write(text)
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

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
