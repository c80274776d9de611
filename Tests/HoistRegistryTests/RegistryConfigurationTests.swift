import Foundation
import Testing

@testable import HoistRegistry

@Suite struct RegistryConfigurationTests {
    @Test(arguments: [
        ("localhost:5000", true), ("127.0.0.1:5000", true), ("127.1.2.3", true), ("[::1]:5000", true),
        ("registry.example:5000", false), ("10.0.0.1:5000", false), ("localhost.example", false),
    ])
    func loopbackHostsAreInsecureByDefault(host: String, insecure: Bool) {
        #expect(RegistryConfiguration().isInsecure(host) == insecure, "\(host)")
        #expect(RegistryConfiguration(loopbackIsInsecure: false).isInsecure(host) == false, "\(host)")
    }

    @Test func namedRegistriesAreInsecureOnlyWhenListed() {
        let configuration = RegistryConfiguration(insecureRegistries: ["registry.example:5000"])
        #expect(configuration.isInsecure("registry.example:5000"))
        #expect(!configuration.isInsecure("registry.example:5001"))
    }

    @Test(arguments: [
        ("docker.io", "https://index.docker.io/v1/"), ("registry-1.docker.io", "https://index.docker.io/v1/"),
        ("localhost:5000", "localhost:5000"),
    ])
    func dockerHubIsKeyedByItsIndexURL(host: String, key: String) {
        #expect(RegistryKey.forHost(host) == key)
    }

    @Test(arguments: [
        ("https://index.docker.io/v1/", "docker.io"), ("http://h:5000/v2/", "h:5000"), ("h:5000", "h:5000"),
    ])
    func keysWrittenAsURLsNameTheirHost(key: String, host: String) {
        #expect(RegistryKey.hostname(of: key) == host)
    }

    @Test func requestPathsInMessagesDropTheQuery() {
        let request = RegistryRequest(.PUT, "http://127.0.0.1:5000/v2/a/blobs/uploads/uuid?_state=secretish&digest=sha256:1", scopes: [])
        #expect(request.displayPath == "/v2/a/blobs/uploads/uuid")
    }
}
