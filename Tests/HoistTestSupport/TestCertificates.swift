public import Foundation

/// Keys and certificates for TLS and token tests, made with the `openssl` command: a CA, a
/// server certificate it signed for 127.0.0.1 and localhost, and a self-signed certificate for
/// a token issuer's signing key.
public struct TestCertificates: Sendable {
    public let caCertificate: URL
    public let serverCertificate: URL
    public let serverKey: URL
    public let tokenCertificate: URL
    public let tokenKey: URL

    /// Writes everything into `directory`.
    public init(in directory: URL) throws {
        func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
        caCertificate = file("ca.crt")
        serverCertificate = file("server.crt")
        serverKey = file("server.key")
        tokenCertificate = file("token.crt")
        tokenKey = file("token.key")
        let caKey = file("ca.key")
        let request = file("server.csr")
        let extensions = file("server.ext")
        try Data(
            """
            subjectAltName=IP:127.0.0.1,DNS:localhost
            basicConstraints=CA:FALSE
            keyUsage=digitalSignature,keyEncipherment
            extendedKeyUsage=serverAuth

            """.utf8
        ).write(to: extensions)
        try ExternalCommand.checked([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.path, "-out", caCertificate.path,
            "-days", "2", "-subj", "/CN=Hoist Test CA",
        ])
        try ExternalCommand.checked([
            "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey.path, "-out", request.path,
            "-subj", "/CN=127.0.0.1",
        ])
        try ExternalCommand.checked([
            "openssl", "x509", "-req", "-in", request.path, "-CA", caCertificate.path, "-CAkey", caKey.path,
            "-CAcreateserial", "-out", serverCertificate.path, "-days", "2", "-extfile", extensions.path,
        ])
        try ExternalCommand.checked([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", tokenKey.path, "-out",
            tokenCertificate.path, "-days", "2", "-subj", "/CN=hoist-test-token-issuer",
        ])
    }
}
