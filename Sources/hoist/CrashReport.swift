#if canImport(Glibc)
    import Glibc
#endif

/// Says so when hoist crashes, instead of dying silently: a Swift trap (SIGILL on x86-64,
/// SIGTRAP on arm64), a bad memory access or an abort prints "hoist crashed: …, please report
/// it" with the command that hit it, then the signal takes its default course: the process ends
/// by it (exit status 128 + the signal, a core where the system keeps them). The Swift
/// runtime's own crash handler is not chained to: it waits for every thread to answer a
/// signal, which threads that block signals (NIO's) never do, and hangs.
///
/// The handler may only call what is async-signal-safe, so the whole message for each signal
/// is written once, at start, and the handler only `write`s it.
enum CrashReport {
    /// The signals a crash arrives as, with the words the message uses for each.
    static let signals: [(signal: Int32, what: String)] = [
        (SIGILL, "illegal instruction (SIGILL), a failed check in hoist"),
        (SIGTRAP, "trap (SIGTRAP), a failed check in hoist"),
        (SIGSEGV, "bad memory access (SIGSEGV)"),
        (SIGBUS, "bad memory access (SIGBUS)"),
        (SIGFPE, "arithmetic error (SIGFPE)"),
        (SIGABRT, "abort (SIGABRT)"),
    ]

    /// Installs the handler for `commandLine` (the process's arguments, shown in the message).
    static func install(commandLine: [String]) {
        let command = commandLine.map(quoted).joined(separator: " ")
        for (signal, what) in signals {
            let text = "hoist crashed: \(what). This is a bug: please report it, with this command and what it was given:\n  \(command)\n"
            let bytes = Array(text.utf8)
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
            buffer.initialize(from: bytes, count: bytes.count)
            messages[Int(signal)] = CrashMessage(text: UnsafePointer(buffer), count: bytes.count)
        }
        // A stack overflow can only be reported from a stack of its own.
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
        stack.ss_size = alternateStackSize
        _ = sigaltstack(&stack, nil)
        for (signal, _) in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = reportCrash
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigemptyset(&action.sa_mask)
            _ = sigaction(signal, &action, nil)
        }
    }

    /// A word of the command line as a shell would need it to be typed.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || "0123456789-_./:=,@%+".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    static let alternateStackSize = 64 << 10
}

/// A prepared message: bytes that stay allocated for the life of the process.
private struct CrashMessage {
    var text: UnsafePointer<UInt8>?
    var count = 0
}

/// Per signal number, the prepared message: plain memory, allocated once at start, so the
/// handler reads it without the Swift runtime.
private let signalLimit = 65
nonisolated(unsafe) private let messages: UnsafeMutablePointer<CrashMessage> = {
    let table = UnsafeMutablePointer<CrashMessage>.allocate(capacity: signalLimit)
    table.initialize(repeating: CrashMessage(), count: signalLimit)
    return table
}()

/// Writes the signal's message, puts back the default action and raises the signal again: a
/// fault would repeat anyway, a signal sent by `kill` would otherwise be lost.
private func reportCrash(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    guard signal > 0, signal < signalLimit else { return }
    let message = messages[Int(signal)]
    if let text = message.text {
        var offset = 0
        while offset < message.count {
            let written = write(STDERR_FILENO, text + offset, message.count - offset)
            if written <= 0 { break }
            offset += written
        }
    }
    var fallback = sigaction()
    fallback.__sigaction_handler.sa_handler = SIG_DFL
    sigemptyset(&fallback.sa_mask)
    _ = sigaction(signal, &fallback, nil)
    raise(signal)
}
