/// Where a kept container is in its life, as `hoist ps` shows it.
public enum ContainerState: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Made, never started.
    case created
    /// Its process runs.
    case running
    /// It ended with this exit code (128 + n after signal n; 255 when how it ended is unknown,
    /// e.g. the machine restarted under it).
    case exited(Int32)

    public var isRunning: Bool { self == .running }

    public var description: String {
        switch self {
        case .created: "created"
        case .running: "running"
        case .exited(let code): "exited (\(code))"
        }
    }
}
