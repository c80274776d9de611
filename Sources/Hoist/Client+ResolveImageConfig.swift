public import HoistBuild
public import HoistOCI
public import HoistRegistry

extension Client {
    /// The config of image `reference` (for `platform`, else the host's) as a build would see
    /// it: from the store, pulled first when `policy` says so — what a program or a frontend
    /// reads to learn a base image's environment, user or entrypoint before building on it.
    ///
    /// Throws `notFound` for an image neither in the store nor pullable, and the registry's
    /// error (its message verbatim) when a pull fails.
    public func resolveImageConfig(_ reference: String, platform: Platform? = nil,
                                   policy: PullPolicy = .missing) async throws -> ImageConfig {
        try await StoreImageSource(images: storeImages, policy: policy).resolve(reference, platform: platform).config
    }

    /// Image `reference` (for `platform`, else the host's) as a build resolves it, pulled first
    /// when `policy` says so: its manifest's digest — `resolved.pinnedReference` names exactly
    /// this image — and its config decoded and as stored. Throws as ``resolveImageConfig(_:platform:policy:)``.
    public func resolveImage(_ reference: String, platform: Platform? = nil, policy: PullPolicy = .missing) async throws -> ResolvedImage {
        try await resolveImage(reference, platform: platform, policy: policy, configuration: RegistryConfiguration())
    }

    func resolveImage(_ reference: String, platform: Platform?, policy: PullPolicy,
                      configuration: RegistryConfiguration) async throws -> ResolvedImage {
        let image = try await storeImages.image(reference, pullPolicy: policy, platform: platform, configuration: configuration)
        let digest = try image.target.digest
        return ResolvedImage(
            reference: reference, digest: digest, config: image.config, rawConfig: try store.content.data(image.configDigest),
            rawManifest: try store.content.data(digest))
    }
}
