import HoistOCI

/// Why a container's process could not be started, for the exit codes Docker's CLI gives:
/// 127 when the command is not there, 126 when it cannot be executed (125 is everything else
/// that kept a container from running).
public enum ProcessStartFailure: Sendable, Hashable {
    /// No such file, or not on the PATH.
    case commandNotFound
    /// The file is there but is not executable (permission denied, not an executable format).
    case notExecutable

    /// The exit code `docker run` and `docker exec` end with for this failure.
    public var exitCode: Int32 {
        switch self {
        case .commandNotFound: 127
        case .notExecutable: 126
        }
    }

    /// The failure a runtime's or daemon's message describes (runc, crun, containerd and the
    /// Engine only say it in words), or nil when it is not one of these.
    public static func classify(_ message: String) -> ProcessStartFailure? {
        let text = message.lowercased()
        // Only what the runtime says of the command itself: runc, containerd and the Engine
        // write `exec: "NAME": …`, crun `executable file …` or `open executable: …`.
        let aboutCommand = text.contains("exec: ") || text.contains("executable") || text.contains("exec format error")
        guard aboutCommand else { return nil }
        if text.contains("not found") || text.contains("no such file or directory") { return .commandNotFound }
        if ["permission denied", "exec format error", "is a directory"].contains(where: text.contains) { return .notExecutable }
        return nil
    }

    /// The start failure `error` or an error it wraps (``CausedError/underlying``) carries.
    public static func of(_ error: any Error) -> ProcessStartFailure? {
        var current: (any Error)? = error
        while let error = current {
            if let runtime = error as? RuntimeError, let failure = runtime.startFailure { return failure }
            current = (error as? any CausedError)?.underlying
        }
        return nil
    }
}
