public import Foundation

/// Where the Docker Engine listens, as the docker CLI reads it: `DOCKER_HOST` (`unix:///path`
/// or `tcp://host:port`), default `/var/run/docker.sock`; TLS for tcp when `DOCKER_TLS_VERIFY`
/// is set, with `ca.pem`, `cert.pem` and `key.pem` from `DOCKER_CERT_PATH` (default `~/.docker`).
public struct DockerHost: Sendable, Hashable, CustomStringConvertible {
    public enum Endpoint: Sendable, Hashable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    public var endpoint: Endpoint
    /// The directory with `ca.pem`, `cert.pem` and `key.pem` when TLS is used.
    public var tlsCertificates: URL?

    public init(endpoint: Endpoint, tlsCertificates: URL? = nil) {
        self.endpoint = endpoint
        self.tlsCertificates = tlsCertificates
    }

    /// The engine the environment names; `invalidArgument` for a `DOCKER_HOST` Hoist cannot use.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DockerHost {
        guard let value = environment["DOCKER_HOST"], !value.isEmpty else {
            return DockerHost(endpoint: .unix(path: "/var/run/docker.sock"))
        }
        return try DockerHost(address: value, environment: environment, named: "DOCKER_HOST=")
    }

    /// The engine at `value`, spelt as `DOCKER_HOST` is (`unix:///path`, `tcp://host:port`;
    /// TLS for tcp as `environment`'s `DOCKER_TLS_VERIFY` says). `named` leads the message
    /// of the `invalidArgument` error for an address Hoist cannot use (`DOCKER_HOST=`).
    public init(address value: String, environment: [String: String] = ProcessInfo.processInfo.environment, named: String = "") throws {
        if value.hasPrefix("unix://") {
            self.init(endpoint: .unix(path: String(value.dropFirst(7))))
            return
        }
        guard value.hasPrefix("tcp://") else {
            throw EngineError(.invalidArgument, "\(named)\(value): Hoist reaches an engine by unix:// or tcp://")
        }
        let address = value.dropFirst(6).split(separator: "/").first.map(String.init) ?? ""
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw EngineError(.invalidArgument, "\(named)\(value): expected tcp://host:port")
        }
        let verify = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty
        let certificates = environment["DOCKER_CERT_PATH"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".docker", isDirectory: true)
        self.init(endpoint: .tcp(host: String(address[..<colon]), port: port), tlsCertificates: verify ? certificates : nil)
    }

    /// Why no daemon can be reached at a unix socket endpoint (`No such file or directory`,
    /// `Connection refused` …), or nil when one accepts a connection (or the endpoint is TCP).
    public func connectionProblem() -> String? {
        guard case .unix(let path) = endpoint else { return nil }
        return UnixSocketProbe.connectionProblem(path)
    }

    /// Whether the engine runs on this machine (a unix socket), so it can bind this machine's
    /// directories into containers.
    public var isOnThisMachine: Bool {
        if case .unix = endpoint { return true }
        return false
    }

    public var description: String {
        switch endpoint {
        case .unix(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }
}
