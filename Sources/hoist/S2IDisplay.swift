import ArgumentParser
import Foundation
import Hoist
import HoistS2I

/// How `hoist s2i` shows an S2I build's events: the build engine's steps through the progress
/// renderer, S2I's notes and pull attempts as lines on stderr, and the output of `--run` and
/// `usage` on this process's own stdout and stderr.
struct S2IDisplay {
    let renderer: ProgressRenderer
    let progress: S2IProgress

    init(progress mode: String, quiet: Bool) throws {
        guard let mode = ProgressRenderer.Mode(rawValue: mode) else { throw ValidationError("unknown --progress \(mode)") }
        let renderer = ProgressRenderer(mode: mode, output: .standardError)
        self.renderer = renderer
        let steps = renderer.reporter
        progress = S2IProgress { event in
            switch event {
            case .build(let event):
                if !quiet { steps.report(event) }
            case .output(let stream, let data):
                (stream == .stderr ? FileHandle.standardError : FileHandle.standardOutput).write(data)
            case .pulling(let image, let attempt):
                if !quiet { Self.line("Pulling image \"\(image)\"" + (attempt > 1 ? " (try \(attempt))" : "") + " ...") }
            case .pullFailed(let image, _, let error, let retryIn):
                Self.line("pulling image \"\(image)\" failed: \(error)" + (retryIn.map { "; retrying in \($0)" } ?? ""))
            case .note(let text):
                if !quiet { Self.line(text) }
            }
        }
    }

    /// Runs `body`, then ends the progress display, whatever happened.
    func running<T>(_ body: () async throws -> T) async throws -> T {
        defer { renderer.finish() }
        return try await body()
    }

    private static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
