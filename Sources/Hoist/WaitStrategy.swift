/// What ``Container/waitUntil(_:timeout:)`` waits for before a started container is ready to use,
/// as testcontainers users know them.
public enum WaitStrategy: Sendable, Hashable {
    /// A line of its output (stdout or stderr) that contains the text.
    case logLine(String)
    /// A TCP connection to the container's port (published with `.publish`, else on its network
    /// address) is accepted.
    case tcpPort(UInt16)
    /// An HTTP GET of `path` on the container's port answers `status`.
    case http(path: String, port: UInt16, status: Int = 200)
    /// The container has ended (with any exit code).
    case exit
}
