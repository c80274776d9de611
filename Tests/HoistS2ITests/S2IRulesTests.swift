import Foundation
import HoistDockerEngine
import HoistOCI
import HoistRegistry
@testable import HoistS2I
import Testing

/// S2I's own rules, each read from its code (`pkg/util/user`, `pkg/docker`, `pkg/api`,
/// `pkg/ignore`, `pkg/scripts`), checked without images or a runtime.
@Suite("S2I's rules")
struct S2IRulesTests {
    // MARK: --allowed-uids

    @Test(arguments: [
        ("1-", [0: false, 1: true, 65534: true]),
        ("-999", [0: true, 999: true, 1000: false]),
        ("100-200,300", [99: false, 100: true, 200: true, 250: false, 300: true]),
        ("1000", [999: false, 1000: true, 1001: false]),
    ])
    func rangesAdmitTheirUIDs(text: String, cases: [Int: Bool]) throws {
        let allowed = try AllowedUIDs(parsing: text)
        for (uid, expected) in cases { #expect(allowed.allows(String(uid)) == expected, "\(text) and \(uid)") }
        // Not numbers: a name, an empty user, uid:gid as written.
        for user in ["fakeuser", "", "1001:0"] { #expect(!allowed.allows(user), "\(user)") }
    }

    @Test func badRangesAreRefusedAndNoneChecksNothing() throws {
        for text in ["x-", "5-3", "1-2-3", "a"] { #expect(throws: S2IError.self, "\(text)") { try AllowedUIDs(parsing: text) } }
        let none = try AllowedUIDs(parsing: "")
        #expect(none.isEmpty && none.allows("root"))
    }

    /// An image config with `user`, `labels` and ONBUILD `triggers`.
    private func image(user: String? = nil, labels: [String: String] = [:], triggers: [String] = []) -> ImageConfig {
        var config = ImageConfig(platform: .host)
        var container = ContainerConfig()
        container.user = user
        container.labels = labels.isEmpty ? nil : labels
        container.onBuild = triggers.isEmpty ? nil : triggers
        config.config = container
        return config
    }

    @Test func userChecksGoInS2IsOrder() throws {
        let check = AllowedUserCheck(try AllowedUIDs(parsing: "1-"))
        // ONBUILD USER with any whitespace, in any case, uid:gid read as its uid.
        for trigger in ["USER 0", "USER\t0", "user \u{0C} 0:0", "USER\u{0B}root"] {
            let error = #expect(throws: S2IError.self, "\(trigger)") {
                try check.check(image: "builder", config: self.image(user: "1001", triggers: ["RUN true", trigger]), assembleUser: nil)
            }
            #expect(error?.message.contains("ONBUILD") == true && error?.message.contains("builder") == true)
        }
        try check.check(image: "builder", config: image(user: "1001", triggers: ["USER 1001:0", "USERS 0"]), assembleUser: nil)
        // --assemble-user decides alone when given (a refused image user does not matter) …
        try check.check(image: "builder", config: image(user: "root"), assembleUser: "431")
        // … as written: uid:gid is no number for S2I there.
        #expect(throws: S2IError.self) { try check.check(image: "builder", config: self.image(user: "1001"), assembleUser: "1001:0") }
        // The assemble-user label comes next, read as its uid.
        try check.check(image: "builder", config: image(user: "root", labels: [S2ILabels.assembleUser: "431:0"]), assembleUser: nil)
        let label = #expect(throws: S2IError.self) {
            try check.check(image: "builder", config: self.image(user: "1001", labels: [S2ILabels.assembleUser: "0"]), assembleUser: nil)
        }
        #expect(label?.message.contains(S2ILabels.assembleUser) == true)
        // Then the image's user; none at all is refused even when 0 is allowed.
        let zero = AllowedUserCheck(try AllowedUIDs(parsing: "0-"))
        let unset = #expect(throws: S2IError.self) { try zero.check(image: "builder", config: self.image(), assembleUser: nil) }
        #expect(unset?.message.contains("\"builder\"") == true && unset?.message.contains("--allowed-uids 0-") == true)
        try zero.check(image: "builder", config: image(user: "0"), assembleUser: nil)
        // Without a range nothing is checked.
        try AllowedUserCheck(try AllowedUIDs(parsing: "")).check(image: "builder", config: image(user: "root"), assembleUser: nil)
    }

    // MARK: Flags

    @Test func pathMappingsAreReadAsS2IReadsThem() throws {
        let list = try S2IPathMapping.parseList("/secrets:/tmp;'/other':;/file", option: "-i")
        #expect(list == [S2IPathMapping(source: "/secrets", destination: "/tmp"), S2IPathMapping(source: "/other", destination: ""),
                         S2IPathMapping(source: "/file", destination: "")])
        // Split at the last colon.
        #expect(try S2IPathMapping.parseList("a:b:c", option: "-i") == [S2IPathMapping(source: "a:b", destination: "c")])
        for bad in ["", "a;", "/secrets$:/tmp", "/s:/t*"] { #expect(throws: S2IError.self, "\(bad)") { try S2IPathMapping.parseList(bad, option: "-i") } }
        #expect(S2IPathMapping(source: "x", destination: "").destination(under: "/opt/app-root/src") == "/opt/app-root/src")
        #expect(S2IPathMapping(source: "x", destination: "conf/../etc").destination(under: "/work") == "/work/etc")
        #expect(S2IPathMapping(source: "x", destination: "/abs").destination(under: "/work") == "/abs")
    }

    @Test func pullPoliciesTakeS2IsSpelling() throws {
        #expect(try S2IPullPolicy(parsing: "if-not-present") == .ifNotPresent)
        #expect(try S2IPullPolicy(parsing: "missing") == .ifNotPresent)
        #expect(try S2IPullPolicy(parsing: "always") == .always)
        let error = #expect(throws: S2IError.self) { try S2IPullPolicy(parsing: "sometimes", option: "--runtime-pull-policy") }
        #expect(error?.message == "--runtime-pull-policy: invalid value \"sometimes\", valid values are: always, never or if-not-present")
    }

    @Test func theEnvironmentComesInS2IsOrder() throws {
        var environment = S2IEnvironment()
        environment.add(sourceFile: "# comment\nA=from source\n B = spaced \nno equals\n=novalue\nC=1\n")
        try environment.add(argument: "A=from flag")
        environment.add(environmentFile: "// comment\n  C = 2  \n#D=3\nE=a=b\n")
        #expect(environment.entries == ["A=from flag", "B=spaced", "C=2", "E=a=b"])
        #expect(throws: S2IError.self) { try environment.add(argument: "NOEQUALS") }
        #expect(throws: S2IError.self) { try environment.add(argument: "=value") }
    }

    @Test func s2iignoreGlobsEachLineAtItsDepth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("s2iignore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in ["dummy", "skip_file", ".hidden", "foo/bar/another_file", "foo/bar/kept", "foo/baz/foobar", "foo/baz/keep.txt",
                     "deep/dummy", "lib/.git/config", ".git/HEAD", "we[ird]"] {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
        try Data("dummy\n#skip_file\n\n  foo/bar/another_file \nfoo/baz/*\n!foo/baz/keep*\n.h*\nwe[[]ird]\n".utf8)
            .write(to: directory.appendingPathComponent(".s2iignore"))
        let exclusions = try S2ISourceExclusions(source: directory)
        #expect(exclusions.paths == [".git", ".hidden", "dummy", "foo/bar/another_file", "foo/baz/foobar", "lib/.git", "we[ird]"])
        #expect(exclusions.excludes("lib/.git/config") && !exclusions.excludes("deep/dummy"))
        #expect(exclusions.patterns.last == "we\\[ird\\]", "literal paths, escaped for the graph's filter")
        #expect(try S2ISourceExclusions(source: directory, excludePattern: "").paths.contains(".git") == false)
        #expect(throws: S2IError.self) { try S2ISourceExclusions(source: directory, excludePattern: "(") }
    }

    // MARK: Pulls

    @Test func pullsAreRetriedOnS2IsRetriableFailuresOnly() {
        #expect(S2IPuller.isRetriable(RegistryError(.unavailable, "cannot reach 127.0.0.1:5000", isTransient: true)))
        #expect(!S2IPuller.isRetriable(RegistryError(.unavailable, "503", status: 503, isTransient: true)), "a registry's answer is final")
        #expect(!S2IPuller.isRetriable(RegistryError(.notFound, "manifest unknown", status: 404)))
        #expect(S2IPuller.isRetriable(EngineError(.unavailable, "Get \"https://127.0.0.1:5000/v2/\": dial tcp: connect: connection refused")))
        #expect(!S2IPuller.isRetriable(EngineError(.unavailable, "manifest for x:1 not found: manifest unknown")))
        #expect(!S2IPuller.isRetriable(S2IError(.unavailable, "pulling image x timed out after 120 seconds without progress")))
        // Six retries, five seconds apart.
        #expect(S2IRequest.s2iPullRetry.maximumAttempts == 7)
        #expect((1...6).allSatisfy { S2IRequest.s2iPullRetry.delay(afterAttempt: $0) == .seconds(5) })
    }

    @Test func aCallWithoutProgressTimesOut() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: S2IError.self) {
            try await withInactivityTimeout(.milliseconds(300), "pulling image x") { _ in
                try await Task.sleep(for: .seconds(30))
            }
        }
        // Well before the body's 30 s would end: it was cancelled (the margin is for a loaded machine).
        #expect(error?.message.contains("timed out") == true && clock.now - start < .seconds(20))
        // Progress keeps it going past the timeout.
        // (Twice the timeout in all, 1/20 of it between reports: a loaded machine's late wake-ups fit.)
        let value = try await withInactivityTimeout(.seconds(2), "pulling image y") { progressed in
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                progressed()
            }
            return 42
        }
        #expect(value == 42)
    }
}
