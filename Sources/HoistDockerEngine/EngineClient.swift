public import Foundation
import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import NIOSSL

/// A client of the Docker Engine API over its unix socket or TCP (with TLS when the
/// environment asks for it), speaking the API version both sides know.
///
/// ```swift
/// let engine = try await EngineClient.connect()
/// defer { Task { try await engine.shutdown() } }
/// print(try await engine.version().version)
/// ```
public final class EngineClient: Sendable {
    /// The newest API version Hoist speaks.
    public static let maximumAPIVersion = "1.43"

    public let host: DockerHost
    /// The API version in use: the daemon's, or ``maximumAPIVersion`` if that is older.
    public let apiVersion: String
    let http: HTTPClient
    private let ownsHTTPClient: Bool

    private init(host: DockerHost, apiVersion: String, http: HTTPClient, ownsHTTPClient: Bool) {
        self.host = host
        self.apiVersion = apiVersion
        self.http = http
        self.ownsHTTPClient = ownsHTTPClient
    }

    /// Connects to `host` (default: as the environment says) and agrees on the API version,
    /// waiting at most `timeout` for the daemon's `_ping`. Throws `unavailable` with one line
    /// saying where it looked when no daemon answers.
    public static func connect(_ host: DockerHost? = nil, timeout: TimeAmount = .seconds(15)) async throws -> EngineClient {
        let host = try host ?? DockerHost.fromEnvironment()
        if case .unix(let path) = host.endpoint {
            // The HTTP client retries a refused connection until its deadline; ask once, directly.
            if let problem = UnixSocketProbe.connectionProblem(path) {
                throw EngineError(.unavailable, unreachable(host) + " (\(problem))")
            }
        }
        let (http, owns) = try makeHTTPClient(for: host)
        do {
            let probe = EngineClient(host: host, apiVersion: "", http: http, ownsHTTPClient: owns)
            let response = try await probe.send(.GET, "/_ping", versioned: false, timeout: timeout)
            let serverVersion = response.headers.first(name: "Api-Version") ?? "1.24"
            let version = compare(serverVersion, maximumAPIVersion) < 0 ? serverVersion : maximumAPIVersion
            return EngineClient(host: host, apiVersion: version, http: http, ownsHTTPClient: owns)
        } catch {
            if owns { try? await http.shutdown() }
            throw error
        }
    }

    /// Releases the connection pool (needed only for a TLS host, harmless otherwise).
    public func shutdown() async throws {
        if ownsHTTPClient { try await http.shutdown() }
    }

    private static func makeHTTPClient(for host: DockerHost) throws -> (HTTPClient, Bool) {
        guard let certificates = host.tlsCertificates else { return (sharedHTTPClient, false) }
        var configuration = engineConfiguration
        configuration.tlsConfiguration = try tlsConfiguration(certificates: certificates)
        return (HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration), true)
    }

    /// No read timeout: the Engine answers a wait, an attach, a commit or a save only when the
    /// container or the daemon is done, after any silence (AsyncHTTPClient's shared client gives
    /// up after 90 s of it). Each request has its own deadline instead.
    private static var engineConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(15), read: nil)
        return configuration
    }

    /// The client every plain (unix socket, TCP) engine connection shares; it lives as long as
    /// the process, so it is never shut down.
    private static let sharedHTTPClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: engineConfiguration)

    /// TLS as the docker CLI sets it up: the daemon's CA, and the client's certificate and key,
    /// from `ca.pem`, `cert.pem` and `key.pem` in `certificates`.
    static func tlsConfiguration(certificates: URL) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .file(certificates.appendingPathComponent("ca.pem").path)
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.appendingPathComponent("cert.pem").path).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.appendingPathComponent("key.pem").path, format: .pem))
        } catch {
            throw EngineError(.invalidArgument, "cannot read the TLS files in \(certificates.path)", underlying: error)
        }
        return tls
    }

    // MARK: - Requests

    /// Sends a request and returns the response once its status is a success; otherwise
    /// throws ``EngineError`` with the daemon's message.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], versioned: Bool = true,
        body: HTTPClientRequest.Body? = nil, contentType: String? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount = .hours(24)
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path, query: query, versioned: versioned))
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        // Over a unix socket there is no host name; the daemon still wants the header.
        if case .unix = host.endpoint { request.headers.replaceOrAdd(name: "Host", value: "docker") }
        if let body {
            request.body = body
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw EngineError(.unavailable, Self.unreachable(host), underlying: error)
        }
        guard (200..<300).contains(Int(response.status.code)) || response.status.code == 304 else {
            let data = try await Self.collect(response, limit: 1 << 20)
            let message = (try? JSONDecoder().decode(DaemonMessage.self, from: data).message)
                ?? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let status = Int(response.status.code)
            throw EngineError(EngineError.code(forStatus: status), message.isEmpty ? "the daemon answered \(status)" : message, status: status)
        }
        return response
    }

    /// Sends a request with a JSON body (when given) and decodes a JSON answer.
    func json<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = Optional<Empty>.none,
        as type: Answer.Type = Answer.self
    ) async throws -> Answer {
        let encoded = try body.map { try JSONEncoder().encode($0) }
        let response = try await send(method, path, query: query, body: encoded.map { .bytes(ByteBuffer(data: $0)) })
        let data = try await Self.collect(response, limit: 64 << 20)
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw EngineError(.dataLoss, "the daemon's answer to \(method) \(path) cannot be read", underlying: error)
        }
    }

    /// Sends a request and ignores the answer's body.
    func perform(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = Optional<Empty>.none) async throws {
        let encoded = try body.map { try JSONEncoder().encode($0) }
        let response = try await send(method, path, query: query, body: encoded.map { .bytes(ByteBuffer(data: $0)) })
        _ = try await Self.collect(response, limit: 64 << 20)
    }

    static func collect(_ response: HTTPClientResponse, limit: Int) async throws -> Data {
        var buffer = try await response.body.collect(upTo: limit)
        return buffer.readData(length: buffer.readableBytes) ?? Data()
    }

    private func url(_ path: String, query: [(String, String)], versioned: Bool) -> String {
        let fullPath = (versioned ? "/v\(apiVersion)" : "") + path
        var components = URLComponents()
        components.percentEncodedPath = fullPath
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // `+` is a space to the daemon's query parser; encode it.
        let uri = (components.percentEncodedPath) + (components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? "")
        switch host.endpoint {
        case .unix(let socket):
            return URL(httpURLWithSocketPath: socket, uri: uri)!.absoluteString
        case .tcp(let hostname, let port):
            return "\(host.tlsCertificates == nil ? "http" : "https")://\(hostname):\(port)\(uri)"
        }
    }

    static func unreachable(_ host: DockerHost) -> String {
        "cannot reach the Docker daemon at \(host): is dockerd running? Set DOCKER_HOST to reach another, or use the native backend"
    }

    /// `a` before (-1), equal to (0) or after (1) `b`, as dotted version numbers.
    static func compare(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: ".").map { Int($0) ?? 0 }
        let right = b.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0
            let r = index < right.count ? right[index] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}

/// The daemon's error body.
struct DaemonMessage: Decodable {
    let message: String
}

/// A request without a body.
struct Empty: Codable {}
