import Foundation
@testable import HoistBuild
import HoistOCI
import Testing

@Suite struct CachedResultCodingTests {
    static func layer(_ name: String, created: String? = "2024-01-02T03:04:05.123456789Z") -> LayerRef {
        LayerRef(
            diffID: Digest(of: Data("diff \(name)".utf8)),
            blob: Descriptor(mediaType: .ociLayer, digest: Digest(of: Data("blob \(name)".utf8)), size: Int64(name.count)),
            created: created)
    }

    static var extraField: LayerRef {
        var layer = layer("annotated")
        layer.blob.annotations = ["org.example": "a value with spaces"]
        return layer
    }

    static var spacedMediaType: LayerRef {
        var layer = layer("spaced")
        layer.blob.mediaType = "application/vnd.example; charset=x"
        return layer
    }

    @Test(arguments: [
        BuildResult.scratch,
        .layers([layer("a", created: nil), layer("b"), layer("c")], config: nil),
        .layers([layer("a"), extraField], config: nil),
        .layers([spacedMediaType], config: nil),
        .layers([layer("a", created: "-")], config: nil),
        .layers([layer("a")], config: ImageConfig(architecture: "amd64", os: "linux")),
        .directory(path: "/context with spaces", exclude: ["*.tmp"]),
    ])
    func resultsRoundTrip(result: BuildResult) throws {
        let data = try CachedResultCoding.encode(result)
        #expect(CachedResultCoding.decode(data) == result, "\(String(decoding: data, as: UTF8.self))")
    }

    @Test func plainLayersAreLinesAndOthersJSON() throws {
        let plain = try CachedResultCoding.encode(.layers([Self.layer("a")], config: nil))
        #expect(String(decoding: plain, as: UTF8.self).hasPrefix("hoist-build-result 1\nlayer sha256:"))
        let annotated = try CachedResultCoding.encode(.layers([Self.extraField], config: nil))
        #expect(annotated.first == UInt8(ascii: "{"))
    }

    @Test func recordsWrittenAsJSONBeforeStillDecode() throws {
        let result = BuildResult.layers([Self.layer("a"), Self.layer("b")], config: nil)
        #expect(CachedResultCoding.decode(try JSONEncoder().encode(result)) == result)
    }

    @Test(arguments: ["", "hoist-build-result 2\n", "hoist-build-result 1\nlayer x\n", "hoist-build-result 1\nlayer a b c d e f"])
    func damagedRecordsAreMisses(text: String) {
        #expect(CachedResultCoding.decode(Data(text.utf8)) == nil)
    }
}
