import Foundation
import HoistOCI
import HoistRegistry

/// The blobs of a pull or push as the terminal view shows them, as Docker's and BuildKit's do:
/// a line per blob with a bar and its bytes, and the whole transfer's bytes and rate. No I/O:
/// it keeps the latest event of each blob and makes lines of a given width.
struct TransferTally {
    private(set) var latest: [Digest: TransferProgress] = [:]
    /// When bytes first moved: the rate is over the time they have been moving, not the
    /// manifest's fetch before them.
    private var firstMove: Date?
    /// When bytes last moved: once every blob is done the rate stays what it was at the end.
    private var lastMove: Date?

    var isEmpty: Bool { latest.isEmpty }

    /// Records `event`; returns whether its blob changed phase (a line worth showing at once).
    mutating func record(_ event: TransferProgress, at now: Date = Date()) -> Bool {
        let previous = latest[event.digest]
        latest[event.digest] = event
        if Self.moves(event.phase) {
            if firstMove == nil { firstMove = now }
            lastMove = now
        }
        return previous?.phase != event.phase
    }

    /// Whether the blob is done with: moved, or found with nothing to move.
    static func isDone(_ phase: TransferProgress.Phase) -> Bool {
        [.complete, .alreadyPresent, .mounted].contains(phase)
    }

    private static func moves(_ phase: TransferProgress.Phase) -> Bool {
        [.downloading, .uploading, .retrying, .complete].contains(phase)
    }

    /// Bytes moved and bytes to move, over the blobs that move (not those already there).
    var bytes: (done: Int64, total: Int64) {
        latest.values.filter { $0.phase != .alreadyPresent && $0.phase != .mounted }.reduce((0, 0)) { sum, event in
            (sum.0 + (event.phase == .complete ? event.total : min(event.completed, event.total)), sum.1 + event.total)
        }
    }

    /// Bytes a second since bytes started moving (until they stopped, when every blob is done);
    /// nil before they have.
    func rate(at now: Date = Date()) -> Double? {
        guard let firstMove else { return nil }
        let allDone = latest.values.allSatisfy { Self.isDone($0.phase) }
        let seconds = (allDone ? lastMove ?? now : now).timeIntervalSince(firstMove)
        return seconds > 0 ? Double(bytes.done) / seconds : nil
    }

    /// `4.1MB/10MB  3.2MB/s`: the whole transfer's bytes and rate.
    func total(at now: Date = Date()) -> String {
        let (done, total) = bytes
        return "\(Display.size(done))/\(Display.size(total))" + (rate(at: now).map { "  \(Display.size(Int64($0)))/s" } ?? "")
    }

    /// The blob's line: ` => 0123456789ab` and, flush right, `[====>    ] 1.2MB/3MB` while it
    /// moves (the bar left out where the width has no room for it) or what became of it.
    func line(_ digest: Digest, width: Int) -> String {
        let left = " => \(digest.shortID)"
        guard let event = latest[digest] else { return TerminalLine.fit(left, width: width) }
        let amount = "\(Display.size(min(event.completed, event.total)))/\(Display.size(event.total))"
        let right: String
        switch event.phase {
        case .waiting: right = "Waiting"
        case .alreadyPresent: right = "Already exists"
        case .mounted: right = "Mounted from another repository"
        case .complete: right = "Complete \(Display.size(event.total))"
        case .downloading, .uploading, .retrying:
            let label = event.phase == .retrying ? "Retrying " : ""
            // What is left for the bar: the line's room, less the name (kept whole), the
            // bytes and the spaces between.
            let room = max(width - 1, 1) - left.count - 1 - label.count - amount.count - 1
            let bar = room >= 8 ? Self.bar(done: event.completed, total: event.total, width: min(room, 32)) + " " : ""
            right = label + bar + amount
        }
        return TerminalLine.fit(left, right: right, width: width)
    }

    /// `[=====>    ]`, `width` columns with its brackets, as Docker's progress bar.
    static func bar(done: Int64, total: Int64, width: Int) -> String {
        let inside = max(width - 2, 1)
        let filled = total > 0 ? Int(Double(min(done, total)) / Double(total) * Double(inside)) : 0
        let body = filled >= inside
            ? String(repeating: "=", count: inside)
            : String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: inside - filled - 1)
        return "[" + body + "]"
    }
}
