import Foundation
import HoistOCI
import Testing

/// Canonical bytes as they were made before the direct tree encoder: `JSONEncoder`'s text read
/// back as a tree. Every digest Hoist ever wrote depends on these bytes staying the same.
private func referenceBytes(_ value: some Encodable) throws -> Data {
    let tree = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    return Data(CanonicalJSON.bytes(of: tree))
}

private let emptySHA = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/// Everything `JSONEncoder` treats in its own way, nested in keyed and unkeyed positions.
private struct Awkward: Encodable {
    enum Plain: Codable { case one, two(Int), three(label: String, Double) }
    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }
    struct Shared: Encodable {
        // Two keyed containers on one encoder write into the same object, as the unknown
        // fields of OCI documents are written.
        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: AnyKey.self)
            try first.encode(1, forKey: AnyKey("a"))
            var second = encoder.container(keyedBy: AnyKey.self)
            try second.encode("b", forKey: AnyKey("b"))
            var nested = second.nestedUnkeyedContainer(forKey: AnyKey("list"))
            try nested.encode(Float(0.1))
            try nested.encodeNil()
            var inner = nested.nestedContainer(keyedBy: AnyKey.self)
            try inner.encode(UInt64.max, forKey: AnyKey("max"))
            var superValue = second.superEncoder().singleValueContainer()
            try superValue.encode(true)
        }
    }
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var text = "tab\t \"quoted\" / é 😀 \u{01}"
    var data = Data([0, 1, 2, 250, 255])
    var url = URL(string: "https://example.com/a%20b?c=d")!
    var date = Date(timeIntervalSinceReferenceDate: 123_456.789)
    var doubles: [Double] = [0, -0.0, 1, 1.5, -2.25, 0.1, 1e-7, 1e18, 1e20, 9_007_199_254_740_994, 123_456_789.125]
    var floats: [Float] = [0.1, 3.5, 1e30]
    var integers: [Int64] = [0, -1, Int64.max, Int64.min]
    var unsigned: [UInt64] = [0, 1 << 63, UInt64.max]
    var smalls: (Int8, UInt8, Int16, UInt16, Int32, UInt32) = (-8, 8, -16, 16, -32, 32)
    var decimal = Decimal(string: "12.5")!
    var optionalMissing: String? = nil
    var optionalNull: String?? = .some(nil)
    var flags = [true, false]
    var byInt: [Int: String] = [1: "one", 20: "twenty"]
    var enums: [Plain] = [.one, .two(2), .three(label: "x", 0.5)]
    var nothing = Nothing()
    var nothings = [Nothing(), Nothing()]
    var shared = Shared()
    var tree: JSONValue = ["k": [1, 2.5, nil, true, "s"], "empty": [:]]

    enum CodingKeys: String, CodingKey {
        case text, data, url, date, doubles, floats, integers, unsigned, smalls, decimal, optionalMissing, optionalNull
        case flags, byInt, enums, nothing, nothings, shared, tree
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(data, forKey: .data)
        try container.encode(url, forKey: .url)
        try container.encode(date, forKey: .date)
        try container.encode(doubles, forKey: .doubles)
        try container.encode(floats, forKey: .floats)
        try container.encode(integers, forKey: .integers)
        try container.encode(unsigned, forKey: .unsigned)
        var smallValues = container.nestedUnkeyedContainer(forKey: .smalls)
        try smallValues.encode(smalls.0)
        try smallValues.encode(smalls.1)
        try smallValues.encode(smalls.2)
        try smallValues.encode(smalls.3)
        try smallValues.encode(smalls.4)
        try smallValues.encode(smalls.5)
        try container.encode(decimal, forKey: .decimal)
        try container.encodeIfPresent(optionalMissing, forKey: .optionalMissing)
        try container.encode(optionalNull, forKey: .optionalNull)
        try container.encode(flags, forKey: .flags)
        try container.encode(byInt, forKey: .byInt)
        try container.encode(enums, forKey: .enums)
        try container.encode(nothing, forKey: .nothing)
        try container.encode(nothings, forKey: .nothings)
        try container.encode(shared, forKey: .shared)
        try container.encode(tree, forKey: .tree)
    }
}

@Suite struct CanonicalJSONTests {
    @Test func awkwardValuesEncodeAsJSONEncoderWouldGiveThem() throws {
        let value = Awkward()
        let bytes = try CanonicalJSON.encode(value)
        let expected = try referenceBytes(value)
        #expect(bytes == expected, "\(String(decoding: bytes, as: UTF8.self))\n!=\n\(String(decoding: expected, as: UTF8.self))")
    }

    @Test(arguments: [
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"DIGEST","size":7,"annotations":{"a":"b"}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"DIGEST","size":9007199254740993,"urls":["https://x/y"],"x-layer":{"deep":[1,2.5,null,true]}}],"x-top":"kept"}"#,
    ])
    func manifestsEncodeAsBefore(json: String) throws {
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(json.replacingOccurrences(of: "DIGEST", with: emptySHA).utf8))
        #expect(try CanonicalJSON.encode(manifest) == referenceBytes(manifest))
    }

    @Test func configsEncodeAsBefore() throws {
        let json = """
            {"architecture":"amd64","os":"linux","created":"2024-01-02T03:04:05.123456789Z",
             "config":{"User":"1000","Env":["PATH=/bin"],"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}},"Labels":{"a":"b"},
               "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Retries":3},"ArgsEscaped":true},
             "rootfs":{"type":"layers","diff_ids":["\(emptySHA)"]},
             "history":[{"created":"2024-01-02T03:04:05Z","created_by":"RUN make","empty_layer":true}],"x-extra":[1.25,{}]}
            """
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(json.utf8))
        #expect(try CanonicalJSON.encode(config) == referenceBytes(config))
    }

    @Test func aTopLevelValueThatEncodesNothingIsAnError() {
        #expect(throws: OCIError.self) { try CanonicalJSON.encode(Awkward.Nothing()) }
    }

    @Test func fragmentsEncode() throws {
        #expect(try CanonicalJSON.encode("text") == Data(#""text""#.utf8))
        #expect(try CanonicalJSON.encode(2.0) == Data("2".utf8))
        #expect(try CanonicalJSON.encode([String: Int]()) == Data("{}".utf8))
    }
}
