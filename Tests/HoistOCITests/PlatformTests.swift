import Foundation
import HoistOCI
import Testing

private func platform(_ text: String) -> Platform {
    // Test inputs are all valid; a failure here shows up as the parse test failing too.
    (try? Platform(parsing: text)) ?? Platform(os: "invalid", architecture: text)
}

@Suite struct PlatformTests {
    @Test(arguments: [
        ("linux/amd64", "linux", "amd64", nil),
        ("linux/x86_64", "linux", "amd64", nil),
        ("linux/x86-64", "linux", "amd64", nil),
        ("linux/arm64", "linux", "arm64", nil),
        ("linux/aarch64", "linux", "arm64", nil),
        ("linux/arm64/v8", "linux", "arm64", "v8"),
        ("linux/aarch64/8", "linux", "arm64", "v8"),
        ("linux/arm64/v9.0", "linux", "arm64", "v9"),
        ("linux/arm", "linux", "arm", nil),
        ("linux/armhf", "linux", "arm", nil),
        ("linux/armel", "linux", "arm", "v6"),
        ("linux/arm/7", "linux", "arm", "v7"),
        ("linux/arm/v6", "linux", "arm", "v6"),
        ("linux/arm/5", "linux", "arm", "v5"),
        ("linux/i386", "linux", "386", nil),
        ("linux/riscv64", "linux", "riscv64", nil),
        ("LINUX/AMD64", "linux", "amd64", nil),
        ("macos/arm64", "darwin", "arm64", nil),
        ("windows/amd64", "windows", "amd64", nil),
    ] as [(String, String, String, String?)])
    func parses(text: String, os: String, architecture: String, variant: String?) throws {
        let parsed = try Platform(parsing: text)
        #expect(parsed.os == os, "\(text)")
        #expect(parsed.architecture == architecture, "\(text)")
        #expect(parsed.variant == variant, "\(text)")
    }

    @Test func parsesOSVersionAndFeatures() throws {
        let parsed = try Platform(parsing: "windows(10.0.17763+win32k)/amd64")
        #expect(parsed.os == "windows")
        #expect(parsed.osVersion == "10.0.17763")
        #expect(parsed.osFeatures == ["win32k"])
        #expect(parsed.description == "windows(10.0.17763+win32k)/amd64")
        let escaped = try Platform(parsing: "linux(a%2Bb)/amd64")
        #expect(escaped.osVersion == "a+b")
    }

    @Test func loneOSOrArchitectureTakesTheHostsOther() throws {
        let host = Platform.host
        #expect(try Platform(parsing: "linux").architecture == host.architecture)
        #expect(try Platform(parsing: "linux").os == "linux")
        let arch = try Platform(parsing: "arm64")
        #expect(arch.os == host.os && arch.architecture == "arm64")
        #expect(try Platform(parsing: "aarch64").architecture == "arm64")
    }

    @Test(arguments: ["", "linux/*", "linux/arm/v7/extra", "linux/a b", "linux//v7", "foo", "li(nux/amd64", "linux(1+)/amd64"])
    func rejects(text: String) {
        do {
            let parsed = try Platform(parsing: text)
            Issue.record("\"\(text)\" was accepted as \(parsed)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("\"\(text)\""), "\(error.message)")
        }
    }

    @Test(arguments: [
        ("linux/arm64/v8", "linux/arm64"),
        ("linux/aarch64", "linux/arm64"),
        ("linux/arm", "linux/arm/v7"),
        ("linux/armhf", "linux/arm/v7"),
        ("linux/arm/v6", "linux/arm/v6"),
        ("linux/amd64", "linux/amd64"),
        ("linux/x86_64", "linux/amd64"),
        ("linux/i386", "linux/386"),
    ])
    func normalises(text: String, expected: String) {
        #expect(platform(text).normalized.description == expected, "\(text)")
    }

    @Test func normalisesStructFields() {
        let raw = Platform(os: "Linux", architecture: "AArch64", variant: "V8", osFeatures: ["b", "a", "b"])
        let normalized = raw.normalized
        #expect(normalized.os == "linux")
        #expect(normalized.architecture == "arm64")
        #expect(normalized.variant == nil)
        #expect(normalized.osFeatures == ["a", "b"])
        #expect(Platform(os: "linux", architecture: "amd64", variant: "v1").normalized.variant == nil)
        #expect(Platform(os: "linux", architecture: "amd64", variant: "v3").normalized.variant == "v3")
    }

    @Test func hostIsNormalisable() {
        let host = Platform.host
        #expect(!host.os.isEmpty && !host.architecture.isEmpty)
        #expect(PlatformMatcher.host.matches(host))
    }

    @Test(arguments: [
        ("linux/arm/v7", ["linux/arm/v7", "linux/arm", "linux/armhf", "linux/arm/v6", "linux/arm/v5"],
         ["linux/arm/v8", "linux/arm64", "linux/amd64", "windows/arm/v7"]),
        ("linux/arm64", ["linux/arm64", "linux/arm64/v8", "linux/aarch64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v5"],
         ["linux/amd64", "linux/arm64/v8.1", "linux/arm64/v9"]),
        ("linux/arm64/v9", ["linux/arm64/v9", "linux/arm64/v8.5", "linux/arm64", "linux/arm/v7"], ["linux/arm64/v9.1"]),
        ("linux/amd64", ["linux/amd64", "linux/x86_64", "linux/386"], ["linux/amd64/v2", "linux/arm64"]),
        ("linux/amd64/v3", ["linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386"], ["linux/amd64/v4"]),
        ("linux/riscv64", ["linux/riscv64"], ["linux/amd64"]),
    ])
    func compatibleMatching(wanted: String, accepted: [String], refused: [String]) {
        let matcher = PlatformMatcher(compatibleWith: platform(wanted))
        for candidate in accepted {
            #expect(matcher.matches(platform(candidate)), "\(wanted) should run \(candidate)")
        }
        for candidate in refused {
            #expect(!matcher.matches(platform(candidate)), "\(wanted) should not run \(candidate)")
        }
        // The accepted lists are written best first: ranks never decrease.
        let ranks = accepted.map { matcher.rank(of: platform($0)) ?? Int.max }
        #expect(ranks == ranks.sorted(), "ranks for \(wanted): \(zip(accepted, ranks).map { "\($0)=\($1)" })")
    }

    @Test func exactMatchingRefusesCompatibleVariants() {
        let matcher = PlatformMatcher.exactly(platform("linux/arm/v7"))
        #expect(matcher.matches(platform("linux/arm")))
        #expect(!matcher.matches(platform("linux/arm/v6")))
    }

    @Test func osFeaturesMustBeOffered() {
        let plain = Platform(os: "windows", architecture: "amd64")
        let needsWin32k = Platform(os: "windows", architecture: "amd64", osFeatures: ["win32k"])
        #expect(!PlatformMatcher(compatibleWith: plain).matches(needsWin32k))
        let offering = PlatformMatcher(compatibleWith: needsWin32k)
        #expect(offering.matches(plain) && offering.matches(needsWin32k))
        #expect(offering.prefers(needsWin32k, over: plain))
    }

    @Test func picksFromAnIndex() throws {
        func entry(_ text: String?, _ n: Int) -> Descriptor {
            Descriptor(
                mediaType: .ociManifest, digest: Digest(of: [UInt8(n)]), size: Int64(n),
                platform: text.map(platform))
        }
        let attestation = Descriptor(
            mediaType: .ociManifest, digest: Digest(of: [99]), size: 1,
            platform: Platform(os: "unknown", architecture: "unknown"))
        let index = ImageIndex(manifests: [
            entry("linux/amd64", 1), entry("linux/arm/v6", 2), entry("linux/arm/v7", 3), entry("linux/arm64/v8", 4),
            entry(nil, 5), attestation,
        ])
        func pick(_ wanted: String) -> Int64? {
            index.manifest(for: PlatformMatcher(compatibleWith: platform(wanted)))?.size
        }
        #expect(pick("linux/arm/v7") == 3)
        #expect(pick("linux/arm/v6") == 2)
        #expect(pick("linux/arm64") == 4)
        #expect(pick("linux/aarch64") == 4)
        #expect(pick("linux/amd64") == 1)
        #expect(pick("linux/386") == nil)
        #expect(pick("linux/riscv64") == nil)
        let v7 = PlatformMatcher(compatibleWith: platform("linux/arm/v7"))
        #expect(v7.sorted(index.manifests).map(\.size) == [3, 2])
        // Without arm64 in the index, an arm64 host falls back to 32-bit arm, newest first.
        let armOnly = ImageIndex(manifests: [entry("linux/arm/v6", 2), entry("linux/arm/v7", 3)])
        #expect(armOnly.manifest(for: PlatformMatcher(compatibleWith: platform("linux/arm64")))?.size == 3)
    }

    @Test func codableKeysAndUnknownFields() throws {
        let json = #"{"architecture":"arm64","features":["sse4"],"os":"linux","os.features":["x"],"os.version":"1","variant":"v8"}"#
        let decoded = try JSONDecoder().decode(Platform.self, from: Data(json.utf8))
        #expect(decoded.osVersion == "1" && decoded.osFeatures == ["x"] && decoded.variant == "v8")
        #expect(decoded.unknownFields["features"] == ["sse4"])
        #expect(String(decoding: try CanonicalJSON.encode(decoded), as: UTF8.self) == json)
    }
}
