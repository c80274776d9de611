import Foundation
public import HoistBuild
public import HoistOCI
public import HoistRegistry
public import HoistStore

/// A build cache in a registry (`--cache-to type=registry,ref=…`), or an image pushed with an
/// inline cache (``InlineCache``), which `--cache-from type=registry,ref=IMAGE` reads alike: the cache manifest under the
/// reference's tag (or digest), its layers the very blobs the image pushes, so a registry that
/// has the image is sent only the records. A registry that takes an OCI image manifest with a
/// config of its own media type (OCI 1.1's artifact rule) holds it; tested against the CNCF
/// distribution registry (docker-registry 2.8), which ignores `artifactType` and keeps it.
public struct RegistryCacheStorage: CacheStorage {
    public let reference: Reference
    public let configuration: RegistryConfiguration

    public init(reference: Reference, configuration: RegistryConfiguration) {
        self.reference = reference
        self.configuration = configuration
    }

    public var description: String { reference.description }

    public func readArtifact(through store: Store) async throws -> (manifest: ImageManifest, artifact: CacheArtifact)? {
        // A cache is optional: a registry that does not answer is given up on after one more
        // try, and the build goes on without it, rather than waiting as long as a pull would.
        var optional = configuration
        optional.retry.maximumAttempts = min(optional.retry.maximumAttempts, 2)
        return try await RegistryClient.withClient(configuration: optional) { client -> (manifest: ImageManifest, artifact: CacheArtifact)? in
            var document: (descriptor: Descriptor, data: Data)
            do {
                document = try await client.fetchManifest(reference)
            } catch let error as RegistryError where error.code == .notFound {
                return nil
            }
            if document.descriptor.mediaType.isIndex {
                // An image of several platforms: the host's keeps the inline cache this build can use.
                let index = try JSONDecoder().decode(ImageIndex.self, from: document.data)
                guard let entry = PlatformMatcher.host.bestMatch(in: index.manifests) else {
                    throw BuildError(.notFound, "\(reference) has no image for \(Platform.host)")
                }
                document = try await client.fetchManifest(reference.withDigest(try entry.digest))
            }
            guard document.descriptor.mediaType.isManifest else {
                throw BuildError(.invalidArgument, "\(reference) is a \(document.descriptor.mediaType), not a build cache")
            }
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: document.data)
            let isCache = manifest.artifactType == CacheArtifact.artifactType || manifest.config.mediaType == CacheArtifact.configMediaType
            guard isCache || manifest.config.mediaType == .ociConfig || manifest.config.mediaType == .dockerConfig else {
                throw BuildError(.invalidArgument, "\(reference) is not a Hoist build cache (artifact type \(manifest.artifactType?.rawValue ?? "none"))")
            }
            // The records (or the image's config) come through the store, which checks them against their digest.
            try await client.download(manifest.config, from: reference, into: store)
            let config = try store.content.data(try manifest.config.digest)
            if isCache {
                return (manifest, try CacheArtifact(manifest: manifest, config: config))
            }
            // An image: its inline cache (`--cache-to type=inline`), its layers the blobs to fetch.
            guard let inline = try InlineCache.decode(config: try JSONDecoder().decode(ImageConfig.self, from: config), manifest: manifest) else {
                throw BuildError(.invalidArgument, "\(reference) is an image without an inline cache (\(InlineCache.field) in its config)")
            }
            return (manifest, inline)
        }
    }

    public func fetch(_ blob: Descriptor, into store: Store) async throws {
        try await RegistryClient.withClient(configuration: configuration) { client in
            _ = try await client.download(blob, from: reference, into: store)
        }
    }

    public func write(_ artifact: CacheArtifact, from store: Store) async throws {
        let (manifest, config) = try artifact.encoded()
        let manifestData = try CanonicalJSON.encode(manifest)
        try store.content.write(config, expecting: try manifest.config.digest)
        let (digest, size) = try store.content.write(manifestData)
        let target = Descriptor(mediaType: .ociManifest, digest: digest, size: size, artifactType: CacheArtifact.artifactType)
        _ = try await RegistryClient.withClient(configuration: configuration) { client in
            try await client.push(target, from: store, to: reference)
        }
    }
}
