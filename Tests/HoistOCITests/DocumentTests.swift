import Foundation
import HoistOCI
import Testing

private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(json.utf8))
}

/// The JSON tree of `data` with object members whose value is null removed: Hoist treats an
/// explicit null like an absent member for the fields it models.
private func tree(_ data: Data) throws -> JSONValue {
    func strip(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues(strip))
        case .array(let elements): .array(elements.map(strip))
        default: value
        }
    }
    return strip(try JSONDecoder().decode(JSONValue.self, from: data))
}

private let emptySHA = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

@Suite struct DocumentTests {
    // MARK: Unknown fields survive

    @Test func manifestKeepsUnknownFieldsAtEveryLevel() throws {
        let json = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(emptySHA)","size":0,"x-config":1},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(emptySHA)","size":0,
               "platform":{"os":"linux","architecture":"amd64","features":["sse4"]},"x-layer":{"deep":[1,2.5,null,true]}}],
             "x-top":"kept","x-big":9007199254740993}
            """
        let manifest = try decode(ImageManifest.self, json)
        #expect(manifest.unknownFields["x-top"] == "kept")
        #expect(manifest.unknownFields["x-big"] == .integer(9_007_199_254_740_993))
        #expect(manifest.config.unknownFields["x-config"] == 1)
        #expect(manifest.layers[0].unknownFields["x-layer"] == ["deep": [1, 2.5, nil, true]])
        #expect(manifest.layers[0].platform?.unknownFields["features"] == ["sse4"])
        let reencoded = try CanonicalJSON.encode(manifest)
        #expect(try tree(reencoded) == tree(Data(json.utf8)))
        #expect(try decode(ImageManifest.self, String(decoding: reencoded, as: UTF8.self)) == manifest)
    }

    @Test func configKeepsDockerFields() throws {
        let json = """
            {"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05.123456789Z","docker_version":"24.0.7",
             "container_config":{"Hostname":"abc","Cmd":["/bin/sh"]},
             "config":{"User":"1000:1000","Env":["PATH=/bin","EMPTY="],"Cmd":["sh"],"Entrypoint":["/init"],
               "ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},"WorkingDir":"/app",
               "Labels":{"a":"b"},"StopSignal":"SIGQUIT","ArgsEscaped":true,"OnBuild":["RUN make"],"Shell":["/bin/bash","-c"],
               "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Timeout":1000000000,"StartPeriod":5,
                 "StartInterval":6,"Retries":3,"x-hc":1},
               "Hostname":"abc","Tty":false,"Image":"sha256:00"},
             "rootfs":{"type":"layers","diff_ids":["\(emptySHA)"],"base_layer":"win"},
             "history":[{"created":"2024-01-02T03:04:05Z","created_by":"RUN make","author":"me","comment":"c",
               "empty_layer":true,"x-h":"y"}]}
            """
        let config = try decode(ImageConfig.self, json)
        try config.validate()
        let container = try #require(config.config)
        #expect(container.user == "1000:1000")
        #expect(container.exposedPorts == ["80/tcp", "53/udp"])
        #expect(container.volumes == ["/data"])
        #expect(container.onBuild == ["RUN make"])
        #expect(container.shell == ["/bin/bash", "-c"])
        #expect(container.healthcheck?.interval == 30_000_000_000)
        #expect(container.healthcheck?.retries == 3)
        #expect(container.argsEscaped == true)
        #expect(container.unknownFields["Tty"] == false)
        #expect(config.unknownFields["docker_version"] == "24.0.7")
        #expect(config.rootfs.unknownFields["base_layer"] == "win")
        #expect(config.history?.first?.emptyLayer == true)
        #expect(config.history?.first?.madeLayer == false)
        #expect(config.platform == Platform(os: "linux", architecture: "amd64"))
        let created = try #require(config.createdDate)
        #expect(abs(created.timeIntervalSince1970 - 1_704_164_645.123456789) < 0.000_01)
        #expect(try tree(CanonicalJSON.encode(config)) == tree(Data(json.utf8)))
    }

    @Test func indexKeepsUnknownFields() throws {
        let json = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"\(emptySHA)",
               "size":0,"platform":{"os":"linux","architecture":"arm","variant":"v7"}}],"x":{"y":"z"}}
            """
        let index = try decode(ImageIndex.self, json)
        try index.validate()
        #expect(index.isDockerManifestList)
        #expect(index.unknownFields["x"] == ["y": "z"])
        #expect(try tree(CanonicalJSON.encode(index)) == tree(Data(json.utf8)))
    }

    @Test func explicitNullsOfModelledFieldsReadAsAbsent() throws {
        let config = try decode(
            ImageConfig.self,
            #"{"architecture":"amd64","os":"linux","config":{"Cmd":null,"Volumes":null,"Labels":null},"rootfs":{"type":"layers","diff_ids":[]}}"#)
        #expect(config.config?.cmd == nil && config.config?.volumes == nil && config.config?.labels == nil)
    }

    @Test func documentDecodingErrorsAreOCIErrors() {
        let cases: [(String, String)] = [
            (#"{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"\#(emptySHA)","size":"1"},"layers":[]}"#, "config.size"),
            (#"{"schemaVersion":2,"layers":[]}"#, "config"),
            (#"{"schemaVersion":2,"#, "the document"),
        ]
        for (json, location) in cases {
            do {
                _ = try ImageManifest(decoding: Data(json.utf8))
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains(location), "\(error.message) should name \(location)")
            }
        }
        let noLayers = #"{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"\#(emptySHA)","size":0},"layers":[]}"#
        #expect(throws: OCIError.self) { try ImageManifest(validating: Data(noLayers.utf8)) }
        #expect((try? ImageManifest(decoding: Data(noLayers.utf8))) != nil)
    }

    // MARK: Canonical JSON

    @Test func canonicalJSONIsSortedCompactAndUnescaped() throws {
        let value: JSONValue = ["b": "x/y", "a": [1, 2.5, true, nil], "é": "ü\n\"\\\u{1}", "B": [:]]
        let text = String(decoding: CanonicalJSON.bytes(of: value), as: UTF8.self)
        #expect(text == #"{"B":{},"a":[1,2.5,true,null],"b":"x/y","é":"ü\n\"\\\u0001"}"#)
    }

    @Test func canonicalJSONIsStable() throws {
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: Digest(of: Data("{}".utf8)), size: 2),
            layers: [
                Descriptor(
                    mediaType: .ociLayerGzip, digest: Digest(of: Data("layer".utf8)), size: 5,
                    annotations: ["z": "1", "a": "2", "m": "3"])
            ],
            annotations: ["org.opencontainers.image.created": "2024-01-01T00:00:00Z", "a/b": "c/d"],
            unknownFields: ["zz": ["k2": 1, "k1": 2], "aa": "x"])
        let first = try CanonicalJSON.encode(manifest)
        for _ in 0..<20 {
            // Dictionaries iterate in a different order per instance; the bytes must not change.
            let copy = try JSONDecoder().decode(ImageManifest.self, from: JSONEncoder().encode(manifest))
            #expect(try CanonicalJSON.encode(copy) == first)
        }
        let text = String(decoding: first, as: UTF8.self)
        #expect(!text.contains(" ") && !text.contains("\n") && !text.contains("\\/"))
        #expect(text.hasPrefix(#"{"aa":"x","annotations":{"a/b":"c/d","org.opencontainers.image.created""#))
        #expect(try CanonicalJSON.digest(of: manifest) == Digest(of: first))
    }

    // MARK: Descriptors

    @Test func descriptorDigestAccess() throws {
        let registered = try decode(
            Descriptor.self, #"{"mediaType":"text/plain","digest":"\#(emptySHA)","size":0}"#)
        #expect(try registered.digest == Digest(parsing: emptySHA))
        let unregistered = try decode(
            Descriptor.self, #"{"mediaType":"text/plain","digest":"sha256+b64:abc=","size":0}"#)
        try unregistered.validate()
        #expect(unregistered.registeredDigest == nil)
        do {
            _ = try unregistered.digest
            Issue.record("an unregistered algorithm gave a Digest")
        } catch {
            #expect(error.code == .unsupported)
        }
    }

    @Test func embeddedDataMustMatch() throws {
        let content = Data("{}".utf8)
        let good = Descriptor(mediaType: .ociEmpty, embedding: content)
        try good.validate()
        #expect(good.size == 2 && good.registeredDigest == Digest(of: content))
        var wrongSize = good
        wrongSize.size = 3
        #expect(throws: OCIError.self) { try wrongSize.validate() }
        var wrongDigest = good
        wrongDigest.digestString = emptySHA
        #expect(throws: OCIError.self) { try wrongDigest.validate() }
    }

    @Test(arguments: [
        ("https://example.com/foo", true), ("http://h:80/p?q=1#f", true), ("s3+x://a", true),
        ("value", false), ("/relative/path", false), ("https://exa mple.com", false), ("1http://x", false),
        ("http://x/%zz", false),
    ])
    func urlsMustBeAbsolute(url: String, valid: Bool) {
        let descriptor = Descriptor(mediaType: .ociLayerGzip, digest: Digest(of: Data()), size: 0, urls: [url])
        #expect(((try? descriptor.validate()) != nil) == valid, "\(url)")
    }

    @Test(arguments: [
        ("e30=", true), ("", true), ("aGVsbG8=", true), ("aGVsbG8", false), ("aGVsbG8=\n", false), ("aGV-bG8=", false),
    ])
    func dataMustBePaddedStandardBase64(text: String, valid: Bool) {
        let json = #"{"mediaType":"text/plain","digest":"\#(emptySHA)","size":0,"data":"\#(text)"}"#
        #expect(((try? decode(Descriptor.self, json)) != nil) == valid, "\"\(text)\"")
    }

    // MARK: Validation rules

    @Test(arguments: [("A=b", true), ("A=", true), ("PATH=/a=b", true), ("foo", false), ("=x", false), ("", false),
                      ("A=b\nc", false)])
    func envEntries(entry: String, valid: Bool) {
        let config = ImageConfig(architecture: "amd64", os: "linux", config: ContainerConfig(env: [entry]))
        #expect(((try? config.validate()) != nil) == valid, "\(entry.debugDescription)")
    }

    @Test(arguments: [("2015-10-31T22:22:56.015925234Z", true), ("2015-10-31T22:22:56Z", true),
                      ("2015-10-31T22:22:56+02:00", true), ("2015-10-31 22:22:56Z", false), ("yesterday", false),
                      ("2015-13-31T22:22:56Z", false), ("2015-10-31T22:22:56", false)])
    func createdMustBeRFC3339(created: String, valid: Bool) {
        let config = ImageConfig(created: created, architecture: "amd64", os: "linux")
        #expect(((try? config.validate()) != nil) == valid, "\(created)")
    }

    /// Each document differs from a valid config in one member of the wrong JSON type.
    @Test(arguments: [
        #""Volumes":["/data"]"#, #""ExposedPorts":{"80/tcp":"yes"}"#, #""Env":[7353]"#, #""User":1234"#,
        #""Cmd":"sh""#, #""Healthcheck":{"Retries":"3"}"#, #""Labels":{"a":1}"#, #""ArgsEscaped":"true""#,
    ])
    func configMembersAreTyped(member: String) {
        let json = #"{"architecture":"amd64","os":"linux","config":{"#
            + member + #"},"rootfs":{"type":"layers","diff_ids":[]}}"#
        #expect(throws: DecodingError.self, "\(member)") { try decode(ImageConfig.self, json) }
    }

    @Test func configTopLevelIsTyped() throws {
        let valid = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
        _ = try decode(ImageConfig.self, valid)
        for broken in [
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"history":"x"}"#,
            #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:00"]}}"#,
            #"{"architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}"#,
            #"{"architecture":"amd64","os":"linux"}"#,
        ] {
            #expect(throws: DecodingError.self, "\(broken)") { try decode(ImageConfig.self, broken) }
        }
        let wrongType = try decode(
            ImageConfig.self, #"{"architecture":"amd64","os":"linux","rootfs":{"type":"tar","diff_ids":[]}}"#)
        #expect(throws: OCIError.self) { try wrongType.validate() }
    }

    @Test func manifestRules() throws {
        let config = Descriptor(mediaType: .ociConfig, digest: Digest(of: Data()), size: 0)
        let layer = Descriptor(mediaType: .ociLayerGzip, digest: Digest(of: Data()), size: 0)
        try ImageManifest(config: config, layers: [layer]).validate()
        try ImageManifest(mediaType: .dockerManifest, config: config, layers: [layer]).validate()
        #expect(ImageManifest(mediaType: .dockerManifest, config: config, layers: []).isDockerSchema2)
        #expect(throws: OCIError.self) { try ImageManifest(config: config, layers: []).validate() }
        try ImageManifest(config: config, layers: []).validate(allowingEmptyLayers: true)
        #expect(throws: OCIError.self) { try ImageManifest(mediaType: .ociIndex, config: config, layers: [layer]).validate() }
        var badVersion = ImageManifest(config: config, layers: [layer])
        badVersion.schemaVersion = 1
        #expect(throws: OCIError.self) { try badVersion.validate() }
        #expect(throws: OCIError.self) { try ImageIndex(mediaType: .ociManifest, manifests: []).validate() }
        #expect(throws: OCIError.self) { try ImageLayout(imageLayoutVersion: "2.0.0").validate() }
        try ImageLayout().validate()
    }
}
