import Foundation
public import HoistOCI
public import HoistStore
import NIOCore
import NIOHTTP1

extension RegistryClient {
    /// Pushes the image `target` (a manifest, or an index with its manifests) from `store` to
    /// `reference`: blobs first (skipped when present, mounted from `mountSources` when the
    /// registry allows), then manifests by digest, then `target` under the reference's tag, or
    /// by digest when the reference has none.
    ///
    /// - Parameter mountSources: repositories on the same registry that may hold the blobs.
    /// - Throws: ``RegistryError`` (`failedPrecondition` when access is denied, `unavailable`
    ///   after the retries, `notFound` when a blob is missing from the store).
    public func push(
        _ target: Descriptor, from store: Store, to reference: Reference, mountSources: [String] = [],
        progress: @escaping TransferProgressHandler = { _ in }
    ) async throws -> PushResult {
        let session = transport(for: reference.registryHost)
        let uploader = BlobUploader(
            transport: session, path: reference.path, store: store, mountSources: mountSources, progress: progress)
        let uploaded = try await pushTree(target, uploader: uploader, isTop: true)
        let digest = try target.digest
        if let tag = reference.tag {
            try await putManifest(target, data: try store.content.data(digest), as: tag, session: session, path: reference.path)
        } else if let pinned = reference.digest, pinned != digest {
            throw RegistryError(.invalidArgument, "cannot push \(digest) to \(reference.familiarString): the digests differ")
        }
        return PushResult(reference: reference, target: target, uploadedBytes: uploaded)
    }

    /// Pushes the blobs and manifests below `descriptor`, then `descriptor` itself by digest.
    private func pushTree(_ descriptor: Descriptor, uploader: BlobUploader, isTop: Bool) async throws -> Int64 {
        let digest = try descriptor.digest
        let data: Data
        do {
            data = try uploader.store.content.data(digest)
        } catch {
            throw RegistryError(.notFound, "\(descriptor.mediaType.isIndex ? "index" : "manifest") \(digest) to push is not in the store", underlying: error)
        }
        var uploaded: Int64 = 0
        if descriptor.mediaType.isIndex {
            let index = try decode(ImageIndex.self, data, what: "index \(digest)")
            for child in index.manifests where child.mediaType.isManifest || child.mediaType.isIndex {
                uploaded += try await pushTree(child, uploader: uploader, isTop: false)
            }
        } else if descriptor.mediaType.isManifest {
            let manifest = try decode(ImageManifest.self, data, what: "manifest \(digest)")
            let blobs = [manifest.config] + manifest.layers.filter { !$0.mediaType.isNondistributable }
            uploaded += try await forEachConcurrently(blobs, limit: configuration.maximumConcurrentTransfers) { blob in
                try await uploader.upload(blob)
            }.reduce(0, +)
        } else {
            throw RegistryError(.unsupported, "cannot push \(digest): \(descriptor.mediaType) is neither a manifest nor an index")
        }
        try await putManifest(descriptor, data: data, as: digest.description, session: uploader.transport, path: uploader.path)
        return uploaded
    }

    private func putManifest(_ descriptor: Descriptor, data: Data, as reference: String, session: RegistryTransport, path: String) async throws {
        let digest = try descriptor.digest
        let request = RegistryRequest(
            .PUT, "/v2/\(path)/manifests/\(reference)", scopes: [RegistryScope.push(path)],
            headers: ["Content-Type": descriptor.mediaType.rawValue, "Content-Length": "\(data.count)"],
            body: { .bytes(ByteBuffer(bytes: data)) })
        try await configuration.retry.run { _ in
            let response = try await session.send(request, expecting: [201, 200])
            _ = try? await response.body.collect(upTo: 1 << 16)
            if let stored = response.headers.first(name: "Docker-Content-Digest"), stored != digest.description {
                throw RegistryError(.dataLoss, "\(session.host): \(path):\(reference) was stored as \(stored), not \(digest)")
            }
        }
    }
}
