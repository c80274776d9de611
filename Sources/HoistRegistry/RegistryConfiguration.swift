public import Foundation

/// How Hoist talks to registries: which may use plain HTTP, where their CA certificates are,
/// whose credentials to send, and how hard to try.
public struct RegistryConfiguration: Sendable {
    /// Registries (`host:port`) that may be reached over plain HTTP or over TLS without
    /// verification, as Docker's `--insecure-registry`.
    public var insecureRegistries: Set<String>
    /// Whether loopback registries (`localhost`, `127.0.0.0/8`, `::1`) count as insecure, as
    /// Docker counts them; true by default.
    public var loopbackIsInsecure: Bool
    /// Per-registry TLS material laid out as Docker reads it: `DIR/HOST[:PORT]/*.crt` are extra
    /// CAs, `*.cert` with the `*.key` of the same name a client certificate.
    public var certificatesDirectory: URL
    /// Where credentials are read from and kept.
    public var credentials: CredentialStore
    /// How transient failures are retried.
    public var retry: RetryPolicy
    /// Blobs transferred at once.
    public var maximumConcurrentTransfers: Int
    /// Upload blobs in chunks of this many bytes (PATCH requests) instead of in one PUT.
    public var uploadChunkSize: Int?
    /// How long to wait for a connection to open.
    public var connectTimeout: Duration
    /// How long to wait for the next bytes of an answer before the transfer counts as broken.
    public var idleTimeout: Duration
    /// The slowest a manifest or blob may arrive before the transfer is given up.
    public var minimumTransferRate: TransferRate

    public init(
        insecureRegistries: Set<String> = [],
        loopbackIsInsecure: Bool = true,
        certificatesDirectory: URL = URL(fileURLWithPath: "/etc/docker/certs.d", isDirectory: true),
        credentials: CredentialStore = CredentialStore(),
        retry: RetryPolicy = .standard,
        maximumConcurrentTransfers: Int = 3,
        uploadChunkSize: Int? = nil,
        connectTimeout: Duration = .seconds(15),
        idleTimeout: Duration = .seconds(60),
        minimumTransferRate: TransferRate = .standard
    ) {
        self.insecureRegistries = insecureRegistries
        self.loopbackIsInsecure = loopbackIsInsecure
        self.certificatesDirectory = certificatesDirectory
        self.credentials = credentials
        self.retry = retry
        self.maximumConcurrentTransfers = max(1, maximumConcurrentTransfers)
        self.uploadChunkSize = uploadChunkSize
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.minimumTransferRate = minimumTransferRate
    }

    /// Whether `host` may be spoken to without verified TLS.
    public func isInsecure(_ host: String) -> Bool {
        insecureRegistries.contains(host) || (loopbackIsInsecure && Self.isLoopback(host))
    }

    /// `localhost`, `127.x.x.x` and `[::1]`, with or without a port.
    static func isLoopback(_ host: String) -> Bool {
        var name = Substring(host)
        if name.hasPrefix("[") {
            name = name.dropFirst().prefix { $0 != "]" }
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return name == "localhost" || name == "::1" || name.hasPrefix("127.")
    }
}
