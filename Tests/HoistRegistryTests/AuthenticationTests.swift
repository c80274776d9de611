import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// Basic (htpasswd) and Bearer (token service) authentication against a real registry, with
/// credentials kept in a Docker config file of the test's own.
@Suite(.enabled(if: Interop.available("docker-registry") && Interop.available("htpasswd") && Interop.available("openssl")))
struct AuthenticationTests {
    @Test func htpasswdBasicAuthentication() async throws {
        let harness = try RegistryHarness()
        let password = "correct horse battery"
        let registry = try TestRegistry(in: try harness.subdirectory("registry"), authentication: .htpasswd(["alice": password]))
        try await registry.explainingFailures {
            let client = try harness.client("source")
            let name = "\(registry.host)/private/busybox:1"
            try harness.importBusybox(into: client, as: name)

            await expectDenied("push without a login") {
                _ = try await client.push(name, configuration: harness.configuration())
            }
            await expectDenied("login with a wrong password", secret: "wrong-\(password)") {
                try await client.login(registry: registry.host, username: "alice", password: "wrong-\(password)", configuration: harness.configuration())
            }
            try await client.login(registry: registry.host, username: "alice", password: password, configuration: harness.configuration())
            let config = try String(contentsOf: harness.dockerConfigDirectory.appendingPathComponent("config.json"), encoding: .utf8)
            #expect(config.contains(Data("alice:\(password)".utf8).base64EncodedString()), "\(config)")

            let pushed = try await client.push(name, configuration: harness.configuration())
            let other = try harness.client("target")
            let pulled = try await other.pull(name, configuration: harness.configuration())
            #expect(try pulled.manifest.digest == pushed.target.digest)

            #expect(try client.logout(registry: registry.host, configuration: harness.configuration()))
            await expectDenied("pull after logout") {
                _ = try await harness.client("third").pull(name, configuration: harness.configuration())
            }
        }
    }

    @Test func cliLoginPushAndLogout() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"), authentication: .htpasswd(["erin": "pw-cli"]))
        try await registry.explainingFailures {
            let root = harness.directory.appending("stores/cli")
            let environment = ["HOIST_ROOT": root.path, "DOCKER_CONFIG": harness.dockerConfigDirectory.path]
            func hoist(_ arguments: [String], input: Data? = nil) throws -> ExternalCommand.Output {
                try ExternalCommand.run([Interop.hoistExecutable] + arguments, input: input, environment: environment)
            }
            let name = "\(registry.host)/cli/busybox:1"
            let client = try Client(root: StoreRoot(root))
            try harness.importBusybox(into: client, as: name)

            let denied = try hoist(["push", "--progress", "quiet", name])
            #expect(denied.status != 0)
            #expect(denied.errorText.contains("401") && denied.errorText.contains("hoist login"), "\(denied.errorText)")

            let wrong = try hoist(["login", "-u", "erin", "--password-stdin", registry.host], input: Data("not-it\n".utf8))
            #expect(wrong.status != 0 && !wrong.errorText.contains("not-it"), "\(wrong.errorText)")

            let login = try hoist(["login", "-u", "erin", "--password-stdin", registry.host], input: Data("pw-cli\n".utf8))
            #expect(login.status == 0 && login.text.contains("Login Succeeded"), "\(login.errorText)")
            let push = try hoist(["push", "--progress", "plain", name])
            #expect(push.status == 0, "\(push.errorText)")
            #expect(push.text.contains("digest: sha256:"), "\(push.text)")
            #expect(!push.errorText.contains("pw-cli"))
            let logout = try hoist(["logout", registry.host])
            #expect(logout.status == 0 && logout.text.contains("Removing login credentials"), "\(logout.text)\(logout.errorText)")
            let config = try String(contentsOf: harness.dockerConfigDirectory.appendingPathComponent("config.json"), encoding: .utf8)
            #expect(!config.contains(registry.host), "\(config)")
        }
    }

    @Test func bearerTokensFromATokenService() async throws {
        let harness = try RegistryHarness()
        let certificates = try TestCertificates(in: try harness.subdirectory("certs"))
        let tokens = try TestTokenService(
            in: try harness.subdirectory("token"), users: ["bob": "pw-token"], anonymousPull: true,
            key: certificates.tokenKey, certificate: certificates.tokenCertificate)
        let registry = try TestRegistry(
            in: try harness.subdirectory("registry"),
            authentication: .token(realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certificate: certificates.tokenCertificate))
        try await tokens.server.explainingFailures {
            try await registry.explainingFailures {
                let client = try harness.client("source")
                let name = "\(registry.host)/team/busybox:1"
                try harness.importBusybox(into: client, as: name)

                // Anonymous tokens carry pull access only.
                await expectDenied("anonymous push") {
                    _ = try await client.push(name, configuration: harness.configuration())
                }
                await expectDenied("login with a wrong password", secret: "pw-wrong") {
                    try await client.login(registry: registry.host, username: "bob", password: "pw-wrong", configuration: harness.configuration())
                }
                try await client.login(registry: registry.host, username: "bob", password: "pw-token", configuration: harness.configuration())
                // The token service handed out a refresh token, kept instead of the password.
                let config = try String(contentsOf: harness.dockerConfigDirectory.appendingPathComponent("config.json"), encoding: .utf8)
                #expect(config.contains("identitytoken") && !config.contains(Data("bob:pw-token".utf8).base64EncodedString()), "\(config)")

                let pushed = try await client.push(name, configuration: harness.configuration())
                #expect(tokens.server.log.contains("issued to bob for ['repository:team/busybox:pull,push']"), "\(tokens.server.log)")

                // A store with no credentials pulls anonymously.
                let anonymous = RegistryConfiguration(
                    credentials: CredentialStore(configFile: DockerConfigFile(directory: harness.directory.appending("empty-config"))),
                    retry: .never)
                let pulled = try await harness.client("target").pull(name, configuration: anonymous)
                #expect(try pulled.manifest.digest == pushed.target.digest)
                #expect(tokens.server.log.contains("issued to anonymous for ['repository:team/busybox:pull']"), "\(tokens.server.log)")
            }
        }
    }

    @Test func tlsWithATestCertificateAuthority() async throws {
        let harness = try RegistryHarness()
        let certificates = try TestCertificates(in: try harness.subdirectory("certs"))
        let registry = try TestRegistry(
            in: try harness.subdirectory("registry"), tls: (certificates.serverCertificate, certificates.serverKey))
        try await registry.explainingFailures {
            let certsDirectory = try harness.subdirectory("certs.d")
            let client = try harness.client("source")
            let name = "\(registry.host)/secure/busybox:1"
            try harness.importBusybox(into: client, as: name)

            // Verified TLS (loopback not exempted) fails without the CA, permanently.
            let strictWithoutCA = harness.configuration(certificatesDirectory: certsDirectory, loopbackIsInsecure: false)
            do {
                _ = try await client.push(name, configuration: strictWithoutCA)
                Issue.record("a push over TLS with an unknown CA succeeded")
            } catch let error as RegistryError {
                #expect(error.code == .unavailable && !error.isTransient && error.message.contains("TLS"), "\(error)")
            }

            // With the CA where Docker reads it, the same settings work.
            let hostDirectory = certsDirectory.appendingPathComponent(registry.host, isDirectory: true)
            try FileManager.default.createDirectory(at: hostDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: certificates.caCertificate, to: hostDirectory.appendingPathComponent("ca.crt"))
            let pushed = try await client.push(name, configuration: strictWithoutCA)
            let pulled = try await harness.client("target").pull(name, configuration: strictWithoutCA)
            #expect(try pulled.manifest.digest == pushed.target.digest)
        }
    }

    /// Expects `body` to fail as access denied, with no `secret` in the message.
    private func expectDenied(_ what: String, secret: String? = nil, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("\(what) succeeded")
        } catch let error as RegistryError {
            #expect(error.code == .failedPrecondition && error.status == 401, "\(what): \(error)")
            if let secret { #expect(!"\(error)".contains(secret), "\(what): \(error)") }
        } catch {
            Issue.record("\(what): unexpected \(error)")
        }
    }
}
