public import Foundation

/// Which containerd Hoist talks to and in which namespace, as `ctr` reads it:
/// `CONTAINERD_ADDRESS` (a socket path, or `unix://` and a path; default
/// `/run/containerd/containerd.sock`) and `CONTAINERD_NAMESPACE` (default `default`).
public struct ContainerdAddress: Sendable, Hashable, CustomStringConvertible {
    /// The daemon's gRPC socket.
    public var socketPath: String
    /// The namespace every request is made in: containerd keeps each namespace's images,
    /// containers and snapshots apart.
    public var namespace: String

    public static let defaultSocketPath = "/run/containerd/containerd.sock"
    public static let defaultNamespace = "default"

    public init(socketPath: String = ContainerdAddress.defaultSocketPath, namespace: String = ContainerdAddress.defaultNamespace) {
        self.socketPath = socketPath
        self.namespace = namespace
    }

    /// The daemon and namespace the environment names.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ContainerdAddress {
        var socket = environment["CONTAINERD_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultSocketPath
        if socket.hasPrefix("unix://") { socket.removeFirst("unix://".count) }
        let namespace = environment["CONTAINERD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        return ContainerdAddress(socketPath: socket, namespace: namespace)
    }

    /// Why this process cannot use the socket — absent, not a socket, or not permitted — or nil
    /// when it may try to connect.
    public func socketProblem() -> String? {
        var info = stat()
        guard stat(socketPath, &info) == 0 else {
            return errno == ENOENT ? "no containerd socket at \(socketPath)" : "cannot use \(socketPath): \(String(cString: strerror(errno)))"
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return "\(socketPath) is not a socket" }
        guard access(socketPath, R_OK | W_OK) == 0 else {
            return "permission denied on containerd's socket \(socketPath): it needs root or the socket's group"
        }
        return nil
    }

    public var description: String { "unix://\(socketPath) (namespace \(namespace))" }
}
