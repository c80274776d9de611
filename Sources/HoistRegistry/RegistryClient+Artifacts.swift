public import Foundation
public import HoistOCI
public import HoistStore

extension RegistryClient {
    /// The manifest or index `reference` names and its bytes, checked against their digest, for
    /// documents that are not images to pull (a build cache's manifest).
    ///
    /// - Throws: ``RegistryError`` as ``resolve(_:)`` does.
    public func fetchManifest(_ reference: Reference) async throws -> (descriptor: Descriptor, data: Data) {
        let fetcher = ManifestFetcher(transport: transport(for: reference.registryHost), path: reference.path)
        return try await fetcher.fetch(reference.digest?.description ?? reference.tag ?? Reference.defaultTag, expected: reference.digest)
    }

    /// Streams the blob `descriptor` names from `reference`'s repository into `store`, verified
    /// against its digest and size; nothing when the store has it. Returns the bytes that moved.
    ///
    /// - Throws: ``RegistryError`` (`notFound`, `dataLoss` for bytes that are not the blob's).
    @discardableResult
    public func download(_ descriptor: Descriptor, from reference: Reference, into store: Store) async throws -> Int64 {
        let downloader = BlobDownloader(
            transport: transport(for: reference.registryHost), path: reference.path, store: store, progress: { _ in })
        return try await downloader.download(descriptor)
    }
}
