#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import Synchronization

/// Passes the signals a user sends a foreground `hoist run` (Ctrl-C, `kill`, a closing terminal)
/// on to its container's process, as `docker run --sig-proxy=true` does, instead of letting them
/// end Hoist: the container decides what they mean, and Hoist waits for it and cleans up.
///
/// While it is active, this process ignores the signals itself and hands each, in the order they
/// came, to `deliver` on a queue of its own; `deliver` answers whether the signal arrived, and is
/// asked again for a while when it did not (a signal that comes before the runtime has made the
/// container). ``stop()`` gives the signals back their default dispositions.
public final class SignalForwarder: @unchecked Sendable {
    /// What is forwarded: Docker's proxy passes every signal but SIGCHLD, SIGPIPE and SIGURG; these
    /// are the ones a user sends. SIGKILL and SIGSTOP cannot be caught.
    public static let forwardedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    /// The runtimes' name for `signal` (`kill ID INT`), or nil for one not forwarded.
    public static func name(of signal: Int32) -> String? {
        switch signal {
        case SIGINT: "INT"
        case SIGTERM: "TERM"
        case SIGHUP: "HUP"
        case SIGQUIT: "QUIT"
        case SIGUSR1: "USR1"
        case SIGUSR2: "USR2"
        case SIGWINCH: "WINCH"
        default: nil
        }
    }

    private let queue = DispatchQueue(label: "hoist.signal-forwarder")
    private var sources: [any DispatchSourceSignal] = []
    private let stopped = Mutex(false)

    /// Starts forwarding `signals` (a subset of ``forwardedSignals``) to `deliver`.
    public init(_ signals: [Int32] = SignalForwarder.forwardedSignals, deliver: @escaping @Sendable (Int32) -> Bool) {
        for number in signals {
            // Ignored first, so the default action never runs; the source still sees it.
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                // About two seconds for the container to appear, never past stop().
                for _ in 0..<100 {
                    guard let self, !self.isStopped else { return }
                    if deliver(number) { return }
                    usleep(20_000)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether ``stop()`` has been called: a delivery under way may look to end early.
    public var isStopped: Bool {
        stopped.withLock { $0 }
    }

    /// Stops forwarding; this process's signals act as before again.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        for source in sources {
            source.cancel()
            Glibc.signal(Int32(source.handle), SIG_DFL)
        }
    }

    deinit { stop() }
}
