import Foundation
import NIOSSL

/// The TLS settings for one registry host from Docker's certificate directory layout: the
/// system's roots plus `*.crt` files as extra CAs, `*.cert`/`*.key` pairs as client identity,
/// and no verification at all for an insecure registry.
enum RegistryTLS {
    static func configuration(host: String, insecure: Bool, certificatesDirectory: URL) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure {
            tls.certificateVerification = .none
        }
        // Docker writes a port's colon into the directory name as it is.
        let directory = certificatesDirectory.appendingPathComponent(host, isDirectory: true)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return tls }
        for name in names.sorted() {
            let path = directory.appendingPathComponent(name).path
            if name.hasSuffix(".crt") {
                tls.additionalTrustRoots.append(.file(path))
            } else if name.hasSuffix(".cert") {
                let keyPath = directory.appendingPathComponent(String(name.dropLast(5)) + ".key").path
                guard FileManager.default.fileExists(atPath: keyPath) else {
                    throw RegistryError(.invalidArgument, "client certificate \(path) has no key \(keyPath)")
                }
                do {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMFile(path).map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
                } catch {
                    throw RegistryError(.invalidArgument, "cannot read client certificate \(path)", underlying: error)
                }
            }
        }
        return tls
    }
}
