import Foundation
import HoistBuild
import HoistOCI
import Testing

/// The inline cache (issue 18): records of an image's own steps in its config, in BuildKit's
/// member and shape, read back through the image's manifest and diff IDs.
@Suite("Inline cache")
struct InlineCacheTests {
    static func layer(_ name: String) -> LayerRef {
        CacheArtifactTests.layer(name)
    }

    let image = [layer("base"), layer("second"), layer("third")]

    /// The manifest and config of an image of `image`'s layers whose config keeps `member`.
    func published(_ member: JSONValue?) -> (ImageConfig, ImageManifest) {
        var config = ImageConfig(
            architecture: "amd64", os: "linux", rootfs: RootFS(diffIDs: image.map(\.diffID)))
        config.unknownFields[InlineCache.field] = member
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: Digest(of: Data("config".utf8)), size: 6), layers: image.map(\.blob))
        return (config, manifest)
    }

    @Test func theImagesStepsSurviveARoundTripAndOthersAreLeftOut() throws {
        let records: [Digest: [LayerRef]] = [
            Digest(of: Data("step 1".utf8)): [Self.layer("base")],
            Digest(of: Data("step 3".utf8)): image,
            Digest(of: Data("another stage".utf8)): [Self.layer("base"), Self.layer("elsewhere")],
            Digest(of: Data("no layers".utf8)): [],
        ]
        let member = try #require(try InlineCache.encode(records, image: image))
        // BuildKit's shape: Base64 text of layers (blob, parent) and records (digest, layer).
        guard case .string(let text) = member, let data = Data(base64Encoded: text),
              let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let layers = document["layers"] as? [[String: Any]], let kept = document["records"] as? [[String: Any]]
        else {
            Issue.record("not BuildKit's form: \(member)")
            return
        }
        #expect(layers.map { $0["parent"] as? Int } == [-1, 0, 1])
        #expect(layers.map { $0["blob"] as? String } == image.map(\.blob.digestString))
        #expect(kept.count == 2)

        let (config, manifest) = published(member)
        let decoded = try #require(try InlineCache.decode(config: config, manifest: manifest))
        #expect(decoded.records == records.filter { $0.key == Digest(of: Data("step 1".utf8)) || $0.key == Digest(of: Data("step 3".utf8)) })
        #expect(try InlineCache.encode([Digest(of: Data("another stage".utf8)): records[Digest(of: Data("another stage".utf8))]!], image: image) == nil)
    }

    @Test func anImageWithoutOneHasNoneAndABrokenOneIsRefused() throws {
        #expect(try InlineCache.decode(config: published(nil).0, manifest: published(nil).1) == nil)
        let (config, manifest) = published(.string("not base64!"))
        #expect { try InlineCache.decode(config: config, manifest: manifest) } throws: { ($0 as? BuildError)?.code == .invalidArgument }
        // A record naming a layer the image lacks.
        let foreign = try #require(try InlineCache.encode([Digest(of: Data("step".utf8)): [Self.layer("base")]], image: [Self.layer("base")]))
        let (other, otherManifest) = published(foreign)
        var stripped = otherManifest
        stripped.layers = []
        #expect { try InlineCache.decode(config: other, manifest: stripped) } throws: { ($0 as? BuildError)?.code == .invalidArgument }
    }
}
