public import Foundation

/// A `docker-registry` (the CNCF distribution registry) on 127.0.0.1 and a free port, with
/// its storage in a directory of the test's, configured for no authentication, htpasswd Basic
/// authentication, or token authentication; over plain HTTP or TLS.
public final class TestRegistry: Sendable {
    /// How clients authenticate.
    public enum Authentication: Sendable {
        case none
        /// Basic authentication against these users (an htpasswd file made with `htpasswd -Bbn`).
        case htpasswd([String: String])
        /// Bearer tokens from `service`, signed by the key whose certificate is `certificate`.
        case token(realm: String, service: String, issuer: String, certificate: URL)
    }

    /// The registry host as references name it: `127.0.0.1:PORT`.
    public let host: String
    /// The registry's storage directory (`docker/registry/v2/…` below it).
    public let storage: URL
    /// The running server.
    public let server: ServerProcess

    /// Writes a configuration into `directory` and starts the registry.
    public init(in directory: URL, authentication: Authentication = .none, tls: (certificate: URL, key: URL)? = nil) throws {
        let port = try FreePort.next()
        host = "127.0.0.1:\(port)"
        storage = directory.appendingPathComponent("storage", isDirectory: true)
        try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
        var config = """
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: \(storage.path)
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:\(port)
              secret: hoist-test-upload-secret

            """
        if let tls {
            config += """
                  tls:
                    certificate: \(tls.certificate.path)
                    key: \(tls.key.path)

                """
        }
        switch authentication {
        case .none:
            break
        case .htpasswd(let users):
            let file = directory.appendingPathComponent("htpasswd")
            var lines = ""
            for (user, password) in users.sorted(by: { $0.key < $1.key }) {
                lines += try ExternalCommand.checked(["htpasswd", "-Bbn", user, password]).text
                    .trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
            try Data(lines.utf8).write(to: file)
            config += """
                auth:
                  htpasswd:
                    realm: hoist-test
                    path: \(file.path)

                """
        case .token(let realm, let service, let issuer, let certificate):
            config += """
                auth:
                  token:
                    realm: \(realm)
                    service: \(service)
                    issuer: \(issuer)
                    rootcertbundle: \(certificate.path)

                """
        }
        let configFile = directory.appendingPathComponent("registry.yml")
        try Data(config.utf8).write(to: configFile)
        server = try ServerProcess(
            name: "docker-registry on \(host)", arguments: ["docker-registry", "serve", configFile.path], port: port,
            logFile: directory.appendingPathComponent("registry.log"))
    }

    /// The file holding the blob `digest` (`sha256:…`) in the registry's storage.
    public func blobFile(_ digest: String) -> URL {
        let hex = String(digest.split(separator: ":").last ?? "")
        return storage.appendingPathComponent("docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    /// Runs `body` with failures explained by the registry's log.
    public func explainingFailures<T>(_ body: () async throws -> T) async throws -> T {
        try await server.explainingFailures(body)
    }
}

/// The token service of `scripts/registry-token-service.py` on 127.0.0.1 and a free port.
public final class TestTokenService: Sendable {
    public let realm: String
    public let service = "hoist-test-registry"
    public let issuer = "hoist-test-issuer"
    public let server: ServerProcess

    /// Starts the service with `users` (name → password), signing with `key`/`certificate`.
    public init(in directory: URL, users: [String: String], anonymousPull: Bool, key: URL, certificate: URL) throws {
        let port = try FreePort.next()
        realm = "http://127.0.0.1:\(port)/token"
        var arguments = [
            "python3", Interop.packageRoot.appendingPathComponent("scripts/registry-token-service.py").path,
            "--port", "\(port)", "--key", key.path, "--cert", certificate.path, "--issuer", issuer, "--service", service,
        ]
        for (user, password) in users.sorted(by: { $0.key < $1.key }) { arguments += ["--user", "\(user):\(password)"] }
        if anonymousPull { arguments.append("--anonymous-pull") }
        server = try ServerProcess(
            name: "token service on port \(port)", arguments: arguments, port: port,
            logFile: directory.appendingPathComponent("token-service.log"))
    }
}
