import AsyncHTTPClient
public import HoistOCI
import NIOCore

/// A client of the OCI distribution API: pulls images into a store, pushes them from it, and
/// checks logins. One client serves any number of registries and operations at once; each
/// operation gets its own authentication session.
///
/// Call ``shutdown()`` when done, or use ``withClient(configuration:_:)``.
public final class RegistryClient: Sendable {
    /// The settings every operation uses.
    public let configuration: RegistryConfiguration
    let httpClient: HTTPClient

    public init(configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.configuration = configuration
        var http = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: Self.timeAmount(configuration.connectTimeout), read: Self.timeAmount(configuration.idleTimeout)))
        http.connectionPool = .init(idleTimeout: .seconds(30))
        // A refused connection or failed handshake must come back at once: RetryPolicy decides
        // what to try again, and the HTTPS probe of an insecure registry must not wait.
        http.connectionPool.retryConnectionEstablishment = false
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the connections; the client cannot be used afterwards.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    /// Runs `body` with a client that is shut down afterwards, whether `body` throws or not.
    public static func withClient<T>(
        configuration: RegistryConfiguration = RegistryConfiguration(), _ body: (RegistryClient) async throws -> T
    ) async throws -> T {
        let client = RegistryClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A fresh session with the registry of `reference`.
    func transport(for host: String, credential: RegistryCredential? = nil, wantsRefreshToken: Bool = false) -> RegistryTransport {
        RegistryTransport(
            host: host, httpClient: httpClient, configuration: configuration, credential: credential,
            wantsRefreshToken: wantsRefreshToken)
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
