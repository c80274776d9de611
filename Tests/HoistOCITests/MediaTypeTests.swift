import HoistOCI
import Testing

@Suite struct MediaTypeTests {
    @Test(arguments: [
        (MediaType.ociManifest, "manifest"), (.dockerManifest, "manifest"),
        (.ociIndex, "index"), (.dockerManifestList, "index"),
        (.ociConfig, "config"), (.dockerConfig, "config"),
        (.ociLayerGzip, "layer"), (.dockerLayerGzip, "layer"), (.ociLayerZstd, "layer"),
        (.ociLayerNondistributable, "layer"), (.dockerForeignLayerGzip, "layer"),
        (.ociEmpty, "other"), (.ociLayoutHeader, "other"), ("application/vnd.example+type", "other"),
    ])
    func classifies(type: MediaType, kind: String) {
        let found = [
            type.isManifest ? "manifest" : nil, type.isIndex ? "index" : nil, type.isConfig ? "config" : nil,
            type.isLayer ? "layer" : nil,
        ].compactMap { $0 }
        #expect(found == (kind == "other" ? [] : [kind]), "\(type)")
    }

    @Test(arguments: [
        (MediaType.ociLayer, LayerCompression?.some(.none)), (.ociLayerGzip, .gzip), (.ociLayerZstd, .zstd),
        (.ociLayerNondistributableGzip, .gzip), (.ociLayerNondistributableZstd, .zstd),
        (.dockerLayerGzip, .gzip), (.dockerForeignLayerGzip, .gzip), (.dockerLayer, LayerCompression.none),
        (.ociConfig, nil), (.ociManifest, nil),
    ])
    func layerCompression(type: MediaType, expected: LayerCompression?) {
        #expect(type.layerCompression == expected, "\(type)")
    }

    @Test func ociLayerForCompressionRoundTrips() {
        for compression in LayerCompression.allCases {
            #expect(MediaType.ociLayer(compression: compression).layerCompression == compression)
        }
    }

    @Test func nondistributable() {
        #expect(MediaType.dockerForeignLayerGzip.isNondistributable)
        #expect(MediaType.ociLayerNondistributableGzip.isNondistributable)
        #expect(!MediaType.ociLayerGzip.isNondistributable)
        #expect(MediaType.dockerLayerGzip.isDocker && !MediaType.ociLayerGzip.isDocker)
    }

    @Test(arguments: [
        ("application/vnd.oci.image.manifest.v1+json", true), ("text/plain", true), ("a/b", true),
        ("application", false), ("", false), (".foo/bar", false), ("foo/.bar", false), ("foo/bar/baz", false),
        ("foo /bar", false), (String(repeating: "a", count: 127) + "/b", true),
        (String(repeating: "a", count: 128) + "/b", false),
    ])
    func validity(text: String, valid: Bool) {
        #expect(MediaType(text).isValid == valid, "\"\(text)\"")
    }
}
