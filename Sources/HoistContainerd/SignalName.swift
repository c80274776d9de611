#if canImport(Glibc)
    import Glibc
#endif

/// Signals by name, as `docker kill -s` and `ctr task kill -s` take them: `KILL`, `SIGTERM`,
/// `hup` or a number.
public enum SignalName {
    static let numbers: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT, "BUS": SIGBUS,
        "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2, "PIPE": SIGPIPE, "ALRM": SIGALRM,
        "TERM": SIGTERM, "CHLD": SIGCHLD, "CONT": SIGCONT, "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN,
        "TTOU": SIGTTOU, "URG": SIGURG, "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF,
        "WINCH": SIGWINCH, "IO": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    /// The number of signal `name`; `invalidArgument` for one Linux does not have.
    public static func number(_ name: String) throws -> Int32 {
        if let number = Int32(name), number > 0, number < 65 { return number }
        var bare = name.uppercased()
        if bare.hasPrefix("SIG") { bare.removeFirst(3) }
        guard let number = numbers[bare] else { throw ContainerdError(.invalidArgument, "unknown signal \"\(name)\"") }
        return number
    }
}
