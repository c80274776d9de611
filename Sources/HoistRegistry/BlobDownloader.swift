import AsyncHTTPClient
import HoistOCI
import HoistStore
import NIOCore
import NIOHTTP1

/// Streams blobs from a repository into the content store. Bytes are hashed as they arrive and
/// published only when digest and size match; a broken transfer resumes with a `Range` request
/// where the registry allows it, else starts over, within the retry policy.
struct BlobDownloader: Sendable {
    let transport: RegistryTransport
    let path: String
    let store: Store
    let progress: TransferProgressHandler

    /// Fetches `descriptor`'s blob unless the store has it; returns the bytes that moved.
    @discardableResult
    func download(_ descriptor: Descriptor) async throws -> Int64 {
        let digest = try descriptor.digest
        func report(_ phase: TransferProgress.Phase, _ completed: Int64) {
            progress(TransferProgress(digest: digest, mediaType: descriptor.mediaType, phase: phase, completed: completed, total: descriptor.size))
        }
        // Held for the pull's lease before it is looked for: one found present stays.
        try store.content.hold(digest)
        if try store.content.contains(descriptor) {
            report(.alreadyPresent, descriptor.size)
            return 0
        }
        var writer = try store.content.writer(expecting: digest, size: descriptor.size)
        var moved: Int64 = 0
        try await transport.configuration.retry.run { attempt in
            if attempt > 1 { report(.retrying, writer.count) }
            var request = RegistryRequest(.GET, "/v2/\(path)/blobs/\(digest)", scopes: [RegistryScope.pull(path)])
            let resumeAt = writer.count
            if resumeAt > 0 { request.headers.add(name: "Range", value: "bytes=\(resumeAt)-") }
            let response = try await transport.send(request, expecting: [200, 206])
            if response.status == .ok, resumeAt > 0 {
                // The registry ignored the range: start over with the whole blob.
                writer.abort()
                writer = try store.content.writer(expecting: digest, size: descriptor.size)
            }
            var watch = TransferWatch(transport.configuration.minimumTransferRate)
            do {
                for try await chunk in response.body {
                    try watch.record(chunk.readableBytes, what: "\(transport.host): blob \(path)@\(digest)")
                    try chunk.withUnsafeReadableBytes { try writer.write($0) }
                    moved += Int64(chunk.readableBytes)
                    report(.downloading, writer.count)
                }
            } catch let error as StoreError where error.code == .dataLoss {
                throw RegistryError(.dataLoss, "\(transport.host): blob \(path)@\(digest) is larger than the \(descriptor.size) bytes its descriptor says", underlying: error)
            } catch let error as StoreError {
                throw error
            } catch let error as RegistryError {
                throw error
            } catch {
                throw RegistryTransport.transportFailure(error, what: "\(transport.host) (GET \(request.displayPath))")
            }
            if writer.count < descriptor.size {
                throw RegistryError(
                    .unavailable, "\(transport.host): blob \(path)@\(digest) ended after \(writer.count) of \(descriptor.size) bytes",
                    isTransient: true)
            }
        }
        do {
            try writer.commit()
        } catch let error as StoreError where error.code == .dataLoss {
            throw RegistryError(.dataLoss, "\(transport.host): blob \(path)@\(digest) does not match its digest; nothing was stored", underlying: error)
        }
        report(.complete, descriptor.size)
        return moved
    }
}
