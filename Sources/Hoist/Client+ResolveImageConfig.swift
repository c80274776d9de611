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
}
