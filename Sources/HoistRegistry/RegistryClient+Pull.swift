import Foundation
public import HoistOCI
public import HoistStore

extension RegistryClient {
    /// Resolves `reference` to the descriptor of its manifest or index, without downloading
    /// anything else.
    ///
    /// - Throws: ``RegistryError``: `notFound` for an unknown repository or tag,
    ///   `failedPrecondition` when access is denied, `unavailable` when the registry cannot be
    ///   reached after the retries, `dataLoss` when the bytes do not match their digest.
    public func resolve(_ reference: Reference) async throws -> Descriptor {
        let fetcher = ManifestFetcher(transport: transport(for: reference.registryHost), path: reference.path)
        return try await fetcher.fetch(reference.digest?.description ?? reference.tag ?? Reference.defaultTag, expected: reference.digest).descriptor
    }

    /// Pulls the image `reference` names into `store` and names it there.
    ///
    /// An index is narrowed to the manifest `platform` prefers; with `allPlatforms` every
    /// manifest it lists is pulled and the name is the whole index's (as `ctr pull
    /// --all-platforms` keeps it). Config and layers are fetched in parallel, streamed into the
    /// store and verified; blobs the store has are skipped. The name is set only once every
    /// blob is in place, so a failed pull leaves the store as it was, apart from verified blobs
    /// a rerun will not fetch again.
    ///
    /// - Throws: ``RegistryError`` (see ``resolve(_:)``; `notFound` also when the index has no
    ///   manifest for `platform`), or a ``StoreError``.
    public func pull(
        _ reference: Reference, platform: PlatformMatcher = .host, allPlatforms: Bool = false, into store: Store,
        progress: @escaping TransferProgressHandler = { _ in }
    ) async throws -> PullResult {
        let session = transport(for: reference.registryHost)
        let fetcher = ManifestFetcher(transport: session, path: reference.path)
        let top = try await fetcher.fetch(reference.digest?.description ?? reference.tag ?? Reference.defaultTag, expected: reference.digest)

        var index: Descriptor?
        // The image the result describes (the platform's), and every image the pull brings.
        var chosen: (descriptor: Descriptor, manifest: ImageManifest)
        var images: [ImageManifest]
        var documents = [top]
        if top.descriptor.mediaType.isIndex {
            index = top.descriptor
            let parsed = try decode(ImageIndex.self, top.data, what: "index \(reference)")
            let preferred = parsed.manifest(for: platform)
            let entries = allPlatforms ? parsed.manifests.filter(\.mediaType.isManifest) : preferred.map { [$0] } ?? []
            // With every platform, an index without this host's is still pulled; its first image describes the pull.
            guard let position = preferred.flatMap({ entries.firstIndex(of: $0) }) ?? (allPlatforms && !entries.isEmpty ? 0 : nil) else {
                let offered = parsed.manifests.compactMap(\.platform).map(\.description).joined(separator: ", ")
                throw RegistryError(
                    .notFound, "\(reference.familiarString) has no manifest for \(platform.preferences.first.map(\.description) ?? "this platform") (it offers \(offered.isEmpty ? "none" : offered))")
            }
            let fetched = try await forEachConcurrently(entries, limit: configuration.maximumConcurrentTransfers) { entry in
                try await fetcher.fetch(try entry.digest.description, expected: try entry.digest)
            }
            documents += fetched
            images = try fetched.map { try decode(ImageManifest.self, $0.data, what: "manifest \($0.descriptor.digestString) of \(reference)") }
            chosen = (
                Descriptor(mediaType: fetched[position].descriptor.mediaType, digest: try fetched[position].descriptor.digest,
                           size: fetched[position].descriptor.size, platform: entries[position].platform),
                images[position])
        } else if top.descriptor.mediaType.isManifest {
            chosen = (top.descriptor, try decode(ImageManifest.self, top.data, what: "manifest \(reference)"))
            images = [chosen.manifest]
        } else {
            throw RegistryError(.unsupported, "\(reference.familiarString) is a \(top.descriptor.mediaType), not an image")
        }

        let downloader = BlobDownloader(transport: session, path: reference.path, store: store, progress: progress)
        var blobs: [Descriptor] = []
        for image in images {
            for blob in [image.config] + image.layers where !blob.mediaType.isNondistributable && !blobs.contains(blob) { blobs.append(blob) }
        }
        let downloaded = try await forEachConcurrently(blobs, limit: configuration.maximumConcurrentTransfers) { blob in
            try await downloader.download(blob)
        }.reduce(0, +)

        let manifest = chosen.manifest
        let config = try decode(ImageConfig.self, try store.content.data(try manifest.config.digest), what: "config of \(reference)")
        let named = allPlatforms ? index ?? chosen.descriptor : chosen.descriptor
        try store.withWriteLease {
            for document in documents {
                _ = try store.content.write(document.data, expecting: try document.descriptor.digest)
            }
            // The blobs must still be there when the name makes them reachable (a collection
            // may have run while they were unnamed).
            for blob in blobs where try !store.content.contains(blob) {
                throw RegistryError(.unavailable, "blob \(blob.digestString) of \(reference.familiarString) was removed during the pull; pull again", isTransient: true)
            }
            try store.setName(reference.description, target: named, created: config.createdDate ?? Date())
        }
        return PullResult(
            reference: reference, manifest: chosen.descriptor, index: index, configDigest: try manifest.config.digest,
            platform: Platform(os: config.os, architecture: config.architecture, variant: config.variant),
            created: config.createdDate, downloadedBytes: downloaded)
    }

    func decode<T: OCIDocument>(_ type: T.Type, _ data: Data, what: String) throws -> T {
        do {
            return try T(decoding: data)
        } catch {
            throw RegistryError(.invalidArgument, "\(what) cannot be read: \(error.message)")
        }
    }
}

/// Runs `body` on every element with at most `limit` running at once; results in input order.
/// The first failure cancels the rest and is thrown.
func forEachConcurrently<Element: Sendable, Result: Sendable>(
    _ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func startNext() {
            guard next < elements.count else { return }
            let position = next
            let element = elements[position]
            group.addTask { (position, try await body(element)) }
            next += 1
        }
        for _ in 0..<min(limit, elements.count) { startNext() }
        while let (position, result) = try await group.next() {
            results[position] = result
            startNext()
        }
        return results.map { $0! }
    }
}
