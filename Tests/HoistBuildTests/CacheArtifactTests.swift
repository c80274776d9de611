import Foundation
import HoistBuild
import HoistOCI
import Testing

/// The build cache's OCI form (issue 18): records survive a round trip through manifest and
/// config, shared layers are listed once, and a cache that lies is refused with a code.
@Suite("Cache artifact")
struct CacheArtifactTests {
    static func layer(_ name: String) -> LayerRef {
        let digest = Digest(of: Data(name.utf8))
        return LayerRef(diffID: digest, blob: Descriptor(mediaType: .ociLayer, digest: digest, size: Int64(name.utf8.count)), created: "2026-12-07T00:00:00Z")
    }

    let records: [Digest: [LayerRef]] = [
        Digest(of: Data("step 1".utf8)): [layer("base")],
        Digest(of: Data("step 2".utf8)): [layer("base"), layer("second")],
        Digest(of: Data("step 3".utf8)): [],
    ]

    @Test func recordsSurviveARoundTripWithEachLayerOnce() throws {
        let (manifest, config) = try CacheArtifact(records: records).encoded()
        #expect(manifest.artifactType == CacheArtifact.artifactType)
        #expect(manifest.config.mediaType == CacheArtifact.configMediaType)
        #expect(manifest.layers.map(\.digestString) == [Self.layer("base"), Self.layer("second")].map(\.blob.digestString))
        #expect(try CacheArtifact(manifest: manifest, config: config).records == records)
        // The same records give the same bytes, so an unchanged export uploads nothing new.
        #expect(try CacheArtifact(records: records).encoded().config == config)
    }

    @Test func aCacheThatDoesNotMatchItsManifestIsRefused() throws {
        let (manifest, config) = try CacheArtifact(records: records).encoded()
        let changed = config + Data(" ".utf8)
        #expect { try CacheArtifact(manifest: manifest, config: changed) } throws: { ($0 as? BuildError)?.code == .dataLoss }
        var image = manifest
        image.artifactType = nil
        image.config.mediaType = .ociConfig
        #expect { try CacheArtifact(manifest: image, config: config) } throws: { ($0 as? BuildError)?.code == .invalidArgument }
        var fewer = manifest
        fewer.layers.removeLast()
        #expect { try CacheArtifact(manifest: fewer, config: config) } throws: { ($0 as? BuildError)?.code == .invalidArgument }
    }
}
