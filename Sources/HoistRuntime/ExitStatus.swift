/// How a process ended.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    /// The exit code as a shell reports it: the code, or 128 + the signal number (137 for SIGKILL).
    public var code: Int32 {
        switch self {
        case .exited(let code): code
        case .signalled(let signal): 128 + signal
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }

    /// Decodes a waitpid(2) status word.
    init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signalled(status & 0x7f)
        }
    }
}
