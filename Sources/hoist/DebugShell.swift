import Foundation
import Hoist

/// An interactive process of a debug container on this terminal (`hoist build
/// --on-error=shell`): the terminal in raw mode while it runs (restored after), what is typed
/// passed to the process, its output written to stdout, and the window's size followed.
enum DebugShell {
    /// Starts a process with `start` (given the terminal's size and the output handler) and
    /// relays the terminal until it ends; returns its exit code. `failedPrecondition` when
    /// standard input is not a terminal.
    static func run(_ start: (TerminalSize, @escaping @Sendable (Data) -> Void) async throws -> DebugProcess) async throws -> Int32 {
        guard isatty(STDIN_FILENO) == 1 else {
            throw ClientError(.failedPrecondition, "a shell on the failed step needs a terminal on standard input")
        }
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var raw = saved
        cfmakeraw(&raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }

        let process = try await start(size()) { data in
            try? FileHandle.standardOutput.write(contentsOf: data)
        }
        // SIGWINCH is taken from its default (ignore) to a dispatch source while the process runs.
        signal(SIGWINCH, SIG_IGN)
        let resizes = DispatchSource.makeSignalSource(signal: SIGWINCH)
        resizes.setEventHandler { try? process.resize(size()) }
        resizes.resume()
        defer { resizes.cancel() }
        let relay = InputRelay(to: process)
        relay.start()
        defer { relay.stop() }
        return try await process.wait()
    }

    /// The terminal's size, 80×24 when it does not say.
    private static func size() -> TerminalSize {
        var size = winsize()
        guard ioctl(STDIN_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else {
            return TerminalSize(columns: 80, rows: 24)
        }
        return TerminalSize(columns: size.ws_col, rows: size.ws_row)
    }

    /// Copies standard input to the process on a thread of its own, until stopped or at end
    /// of input; polls so that it can stop without a last keystroke.
    private final class InputRelay: @unchecked Sendable {
        private let process: DebugProcess
        private let lock = NSLock()
        private var stopped = false

        init(to process: DebugProcess) {
            self.process = process
        }

        func start() {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while !lock.withLock({ stopped }) {
                    var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&descriptor, 1, 100)
                    if ready < 0 && errno == EINTR { continue }
                    guard ready > 0 else { continue }
                    let count = read(STDIN_FILENO, &buffer, buffer.count)
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { return }
                    guard (try? process.write(Data(buffer[0..<count]))) != nil else { return }
                }
            }
        }

        func stop() {
            lock.withLock { stopped = true }
        }
    }
}
