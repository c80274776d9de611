import AsyncHTTPClient
import HoistOCI
import HoistStore
import NIOCore
import NIOHTTP1

/// Puts blobs from the content store into a repository: nothing when the registry has the
/// blob already (HEAD), a cross-repository mount when another repository of the registry has
/// it, otherwise an upload session filled in one PUT or in PATCH chunks.
struct BlobUploader: Sendable {
    let transport: RegistryTransport
    let path: String
    let store: Store
    /// Repositories of the same registry that may hold the blobs already.
    let mountSources: [String]
    let progress: TransferProgressHandler

    /// Makes sure the repository has `descriptor`'s blob; returns the bytes uploaded.
    @discardableResult
    func upload(_ descriptor: Descriptor) async throws -> Int64 {
        let digest = try descriptor.digest
        let report: @Sendable (TransferProgress.Phase, Int64) -> Void = { [progress] phase, completed in
            progress(TransferProgress(digest: digest, mediaType: descriptor.mediaType, phase: phase, completed: completed, total: descriptor.size))
        }
        guard let file = store.content.path(digest) else {
            throw RegistryError(.notFound, "blob \(digest) to push to \(transport.host)/\(path) is not in the store")
        }
        return try await transport.configuration.retry.run { attempt in
            if attempt > 1 { report(.retrying, 0) }
            let head = try await transport.send(
                RegistryRequest(.HEAD, "/v2/\(path)/blobs/\(digest)", scopes: [RegistryScope.push(path)]), expecting: [200, 404])
            if head.status == .ok {
                report(.alreadyPresent, descriptor.size)
                return 0
            }
            var location: String?
            for source in mountSources where source != path {
                let mount = try await transport.send(
                    RegistryRequest(
                        .POST, "/v2/\(path)/blobs/uploads/?mount=\(digest)&from=\(source)",
                        scopes: [RegistryScope.push(path), RegistryScope.pull(source)], headers: ["Content-Length": "0"]),
                    expecting: [201, 202])
                if mount.status == .created {
                    report(.mounted, descriptor.size)
                    return 0
                }
                // 202: the registry could not mount and opened an ordinary upload instead.
                location = try uploadLocation(mount, "POST /v2/\(path)/blobs/uploads/")
                break
            }
            if location == nil {
                let start = try await transport.send(
                    RegistryRequest(.POST, "/v2/\(path)/blobs/uploads/", scopes: [RegistryScope.push(path)], headers: ["Content-Length": "0"]),
                    expecting: [202])
                location = try uploadLocation(start, "POST /v2/\(path)/blobs/uploads/")
            }
            guard var location else { return 0 }
            if let chunkSize = transport.configuration.uploadChunkSize, descriptor.size > chunkSize {
                var offset: Int64 = 0
                while offset < descriptor.size {
                    let length = min(Int64(chunkSize), descriptor.size - offset)
                    let start = offset
                    let chunks = FileChunks(path: file, offset: start, length: length) { sent in report(.uploading, start + sent) }
                    let patch = try await transport.send(
                        RegistryRequest(
                            .PATCH, location, scopes: [RegistryScope.push(path)],
                            headers: [
                                "Content-Type": "application/octet-stream", "Content-Range": "\(start)-\(start + length - 1)",
                                "Content-Length": "\(length)",
                            ],
                            body: { .stream(chunks, length: .known(length)) }),
                        expecting: [202])
                    location = try uploadLocation(patch, "PATCH \(path) upload")
                    offset += length
                }
                _ = try await transport.send(
                    RegistryRequest(
                        .PUT, Self.appending(digest: digest, to: location), scopes: [RegistryScope.push(path)],
                        headers: ["Content-Length": "0"]),
                    expecting: [201])
            } else {
                let chunks = FileChunks(path: file, offset: 0, length: descriptor.size) { sent in report(.uploading, sent) }
                _ = try await transport.send(
                    RegistryRequest(
                        .PUT, Self.appending(digest: digest, to: location), scopes: [RegistryScope.push(path)],
                        headers: ["Content-Type": "application/octet-stream", "Content-Length": "\(descriptor.size)"],
                        body: { .stream(chunks, length: .known(descriptor.size)) }),
                    expecting: [201])
            }
            report(.complete, descriptor.size)
            return descriptor.size
        }
    }

    private func uploadLocation(_ response: HTTPClientResponse, _ what: String) throws -> String {
        guard let location = response.headers.first(name: "Location"), !location.isEmpty else {
            throw RegistryError(.failedPrecondition, "\(transport.host): \(what) gave no upload location")
        }
        return location
    }

    static func appending(digest: Digest, to location: String) -> String {
        location + (location.contains("?") ? "&" : "?") + "digest=" + digest.description
    }
}
