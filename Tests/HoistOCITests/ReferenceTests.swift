import Foundation
import HoistOCI
import Testing

/// One accepted reference and what Docker makes of it.
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    let input: String
    let normalized: String
    let familiar: String
    let domain: String
    let path: String
    var testDescription: String { input }
}

private let sha = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
private let hex64 = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"
private let longTag = String(repeating: "t", count: 128)
/// A path of exactly 255 characters.
private let longestPath = "a/" + String(repeating: "b", count: 253)

private func accepted(
    _ input: String, _ normalized: String, _ familiar: String, _ domain: String, _ path: String
) -> ReferenceCase {
    ReferenceCase(input: input, normalized: normalized, familiar: familiar, domain: domain, path: path)
}

private let acceptedReferences: [ReferenceCase] = [
    accepted("busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
    accepted("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox"),
    accepted("busybox:LATEST", "docker.io/library/busybox:LATEST", "busybox:LATEST", "docker.io", "library/busybox"),
    accepted("library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
    accepted("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
    accepted("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
    accepted("index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"),
    accepted("index.docker.io/library/debian:12", "docker.io/library/debian:12", "debian:12", "docker.io", "library/debian"),
    accepted("index.docker.io/docker/docker", "docker.io/docker/docker:latest", "docker/docker:latest", "docker.io", "docker/docker"),
    accepted("user/app", "docker.io/user/app:latest", "user/app:latest", "docker.io", "user/app"),
    accepted("docker.io/user/app:v1", "docker.io/user/app:v1", "user/app:v1", "docker.io", "user/app"),
    accepted("other/library", "docker.io/other/library:latest", "other/library:latest", "docker.io", "other/library"),
    accepted("library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest", "docker.io", "library/foo/bar"),
    accepted("store/foo/bar", "docker.io/store/foo/bar:latest", "store/foo/bar:latest", "docker.io", "store/foo/bar"),
    accepted("ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base:latest", "ubuntu-12.04-base:latest", "docker.io", "library/ubuntu-12.04-base"),
    accepted("localhost/foo", "localhost/foo:latest", "localhost/foo:latest", "localhost", "foo"),
    accepted("localhost/library/debian", "localhost/library/debian:latest", "localhost/library/debian:latest", "localhost", "library/debian"),
    accepted("localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000/a/b:tag", "localhost:5000", "a/b"),
    // With no slash, "localhost:5000" is Docker Hub's library/localhost with tag 5000.
    accepted("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", "docker.io", "library/localhost"),
    accepted("host:5000/a/b@\(sha)", "host:5000/a/b@\(sha)", "host:5000/a/b@\(sha)", "host:5000", "a/b"),
    accepted("a/b:tag@\(sha)", "docker.io/a/b:tag@\(sha)", "a/b:tag@\(sha)", "docker.io", "a/b"),
    accepted("busybox@\(sha)", "docker.io/library/busybox@\(sha)", "busybox@\(sha)", "docker.io", "library/busybox"),
    accepted("busybox:latest@\(sha)", "docker.io/library/busybox:latest@\(sha)", "busybox:latest@\(sha)", "docker.io", "library/busybox"),
    accepted("example.com/privatebase", "example.com/privatebase:latest", "example.com/privatebase:latest", "example.com", "privatebase"),
    accepted("example.com:8000/private/moonbase", "example.com:8000/private/moonbase:latest", "example.com:8000/private/moonbase:latest", "example.com:8000", "private/moonbase"),
    accepted("127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker:latest", "127.0.0.1:5000/docker/docker:latest", "127.0.0.1:5000", "docker/docker"),
    accepted("192.168.0.1", "docker.io/library/192.168.0.1:latest", "192.168.0.1:latest", "docker.io", "library/192.168.0.1"),
    accepted("192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", "docker.io", "library/192.168.0.1"),
    accepted("192.168.0.1:8/debian", "192.168.0.1:8/debian:latest", "192.168.0.1:8/debian:latest", "192.168.0.1:8", "debian"),
    accepted("[fc00::1]:5000/docker", "[fc00::1]:5000/docker:latest", "[fc00::1]:5000/docker:latest", "[fc00::1]:5000", "docker"),
    accepted("[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest", "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian"),
    // An uppercase first component can only be a domain.
    accepted("Docker/docker", "Docker/docker:latest", "Docker/docker:latest", "Docker", "docker"),
    accepted("LOCALDOMAIN/fooo/bar", "LOCALDOMAIN/fooo/bar:latest", "LOCALDOMAIN/fooo/bar:latest", "LOCALDOMAIN", "fooo/bar"),
    accepted("docker.io/\(hex64)", "docker.io/library/\(hex64):latest", "\(hex64):latest", "docker.io", "library/\(hex64)"),
    accepted("thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest", "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"),
    accepted("docker---rules/docker", "docker.io/docker---rules/docker:latest", "docker---rules/docker:latest", "docker.io", "docker---rules/docker"),
    accepted("dock__er/docker", "docker.io/dock__er/docker:latest", "dock__er/docker:latest", "docker.io", "dock__er/docker"),
    accepted("d/docker", "docker.io/d/docker:latest", "d/docker:latest", "docker.io", "d/docker"),
    accepted("jess/t", "docker.io/jess/t:latest", "jess/t:latest", "docker.io", "jess/t"),
    accepted("foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "foo_bar.com:8080", "docker.io", "library/foo_bar.com"),
    accepted("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage"),
    accepted("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux"),
    accepted("a.b/c:\(longTag)", "a.b/c:\(longTag)", "a.b/c:\(longTag)", "a.b", "c"),
    accepted("test_com", "docker.io/library/test_com:latest", "test_com:latest", "docker.io", "library/test_com"),
    accepted("test.com:tag", "docker.io/library/test.com:tag", "test.com:tag", "docker.io", "library/test.com"),
    accepted("lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "lowercase:Uppercase", "docker.io", "library/lowercase"),
    accepted("test:5000/repo:tag@\(sha)", "test:5000/repo:tag@\(sha)", "test:5000/repo:tag@\(sha)", "test:5000", "repo"),
    accepted("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app"),
    accepted("foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com"),
    accepted("192.168.1.1/repo", "192.168.1.1/repo:latest", "192.168.1.1/repo:latest", "192.168.1.1", "repo"),
    accepted("192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo"),
    accepted("[2001:db8::1]/repo", "[2001:db8::1]/repo:latest", "[2001:db8::1]/repo:latest", "[2001:db8::1]", "repo"),
    accepted("[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo:latest", "[2001:db8::]:5000/repo:latest", "[2001:db8::]:5000", "repo"),
    accepted("[::1]:5000/repo@\(sha)", "[::1]:5000/repo@\(sha)", "[::1]:5000/repo@\(sha)", "[::1]:5000", "repo"),
    accepted("example.com/" + String(repeating: "a", count: 255) + ":tag", "example.com/" + String(repeating: "a", count: 255) + ":tag", "example.com/" + String(repeating: "a", count: 255) + ":tag", "example.com", String(repeating: "a", count: 255)),
    accepted(longestPath, "docker.io/\(longestPath):latest", "\(longestPath):latest", "docker.io", longestPath),
]

/// Inputs Docker rejects, each with why.
private let rejectedReferences: [(String, String)] = [
    ("", "empty"),
    ("https://github.com/docker/docker", "a URL, not a reference"),
    ("docker/Docker", "uppercase repository"),
    ("docker.io/docker/Docker", "uppercase repository"),
    ("UPPER", "uppercase repository"),
    ("Uppercase:tag", "uppercase repository"),
    ("-docker", "leading hyphen"),
    ("-docker/docker", "leading hyphen in namespace"),
    ("docker-/docker", "trailing hyphen in namespace"),
    ("-docker-/docker", "hyphens around namespace"),
    ("-docker.io/docker/docker", "domain starting with a hyphen"),
    ("docker///docker", "empty path components"),
    ("docker.io/docker///docker", "empty path components"),
    ("____/____", "underscores only"),
    ("_docker/_docker", "leading underscore"),
    ("dock..er/docker", "double period"),
    ("dock_.er/docker", "mixed separators"),
    ("dock-.er/docker", "mixed separators"),
    ("dock___er/docker", "three underscores"),
    ("docker/", "empty repository"),
    ("localhost/", "empty repository"),
    ("[fc00::1]", "bare IPv6 address"),
    ("[fc00::1]:5000", "bare IPv6 address and port"),
    ("fc00::1:5000/debian", "unbracketed IPv6"),
    ("[fe80::1%eth0]:5000/debian", "zone in IPv6"),
    ("[2001:db8:3:4::192.0.2.33]:5000/debian", "dotted IPv6"),
    ("host:port/a", "non-numeric port"),
    ("host:/a", "empty port"),
    (hex64, "64 hex characters are an image ID"),
    ("busybox:", "empty tag"),
    ("busybox:-tag", "tag starting with a hyphen"),
    ("busybox:.tag", "tag starting with a period"),
    ("a.b/c:\(longTag)t", "tag of 129 characters"),
    ("a/b:tag:tag2", "two tags"),
    (":tag", "no name"),
    ("@\(sha)", "no name"),
    ("busybox@sha256:abc", "short digest"),
    ("busybox@sha256:" + String(repeating: "A", count: 64), "uppercase digest hex"),
    ("busybox@md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm"),
    ("validname@invaliddigest:" + String(repeating: "e", count: 64), "unsupported digest algorithm"),
    ("busybox@" + String(repeating: "e", count: 64), "digest without algorithm"),
    ("a/b c", "space"),
    ("aa/asdf$$^/aa", "punctuation in path"),
    ("test:5000/Uppercase/lowercase:tag", "uppercase repository on a registry"),
    ("[2001:db8::1]:tag", "bare IPv6 address with tag"),
    ("[fe80::1%@invalidzone]:5000/repo", "zone in IPv6"),
    ("domain/" + String(repeating: "a", count: 256) + ":tag", "path too long"),
    ("repo@sha256:" + String(repeating: "f", count: 34), "short digest"),
    ("validname@sha512:" + String(repeating: "f", count: 64), "sha512 digest of sha256 length"),
    ("a/b\u{e9}", "non-ASCII"),
    ("a/" + String(repeating: "b", count: 254), "path of 256 characters"),
    (String(repeating: "namespace_", count: 26) + "/docker", "namespace too long"),
]

@Suite struct ReferenceTests {
    @Test(arguments: acceptedReferences)
    func normalisesAsDocker(_ row: ReferenceCase) throws {
        let reference = try Reference(parsing: row.input)
        #expect(reference.description == row.normalized)
        #expect(reference.familiarString == row.familiar)
        #expect(reference.domain == row.domain)
        #expect(reference.path == row.path)
        #expect(reference.name == row.domain + "/" + row.path)
        // The normalised and familiar forms read back to the same reference.
        #expect(try Reference(parsing: row.normalized) == reference)
        #expect(try Reference(parsing: row.familiar) == reference)
    }

    @Test(arguments: rejectedReferences)
    func rejectsAsDocker(input: String, why: String) {
        do {
            let reference = try Reference(parsing: input)
            Issue.record("\"\(input)\" (\(why)) was accepted as \(reference)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("\"\(input)\""), "message should name the input: \(error.message)")
        }
    }

    @Test func familiarNameDropsHubDomainAndLibrary() throws {
        #expect(try Reference(parsing: "busybox").familiarName == "busybox")
        #expect(try Reference(parsing: "user/app").familiarName == "user/app")
        #expect(try Reference(parsing: "library/foo/bar").familiarName == "library/foo/bar")
        #expect(try Reference(parsing: "localhost:5000/a/b").familiarName == "localhost:5000/a/b")
    }

    @Test func registryHost() throws {
        #expect(try Reference(parsing: "busybox").registryHost == "registry-1.docker.io")
        #expect(try Reference(parsing: "index.docker.io/a/b").registryHost == "registry-1.docker.io")
        #expect(try Reference(parsing: "localhost:5000/a").registryHost == "localhost:5000")
        #expect(try Reference(parsing: "ghcr.io/o/r:1").registryHost == "ghcr.io")
    }

    @Test func defaultTagCanBeLeftOff() throws {
        let nameOnly = try Reference(parsing: "user/app", addingDefaultTag: false)
        #expect(nameOnly.tag == nil)
        #expect(nameOnly.description == "docker.io/user/app")
        #expect(nameOnly.familiarString == "user/app")
        #expect(try Reference(parsing: "busybox@\(sha)").tag == nil)
    }

    @Test func derivedReferences() throws {
        let reference = try Reference(parsing: "busybox:1.36")
        #expect(try reference.withTag("musl").description == "docker.io/library/busybox:musl")
        #expect(throws: OCIError.self) { try reference.withTag("-bad") }
        let pinned = reference.withDigest(try Digest(parsing: sha))
        #expect(pinned.description == "docker.io/library/busybox@\(sha)")
        #expect(reference.repository.description == "docker.io/library/busybox")
        #expect(try Reference(domain: "localhost:5000", path: "a/b", tag: "x").description == "localhost:5000/a/b:x")
        #expect(throws: OCIError.self) { try Reference(domain: "localhost:5000", path: "A/b") }
    }

    @Test func codableAsNormalisedString() throws {
        let reference = try Reference(parsing: "user/app:1")
        let data = try CanonicalJSON.encode([reference])
        #expect(String(decoding: data, as: UTF8.self) == "[\"docker.io/user/app:1\"]")
        #expect(try JSONDecoder().decode([Reference].self, from: data) == [reference])
        #expect(Reference("Not/Valid/UPPER") == nil)
    }
}
