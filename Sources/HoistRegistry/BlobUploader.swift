import AsyncHTTPClient
import Foundation
import HoistOCI
import HoistStore
import NIOCore
import NIOHTTP1

/// Puts blobs from the content store into a repository: nothing when the registry has the
/// blob already (HEAD), a cross-repository mount when another repository of the registry has
/// it, otherwise an upload session filled in one PUT or in PATCH chunks. A chunked upload that
/// breaks resumes where the registry says its session stands; a monolithic one starts over.
struct BlobUploader: Sendable {
    let transport: RegistryTransport
    let path: String
    let store: Store
    /// Repositories of the same registry that may hold the blobs already.
    let mountSources: [String]
    let progress: TransferProgressHandler

    /// Makes sure the repository has `descriptor`'s blob; returns the bytes sent, counting
    /// any sent again after a failure.
    @discardableResult
    func upload(_ descriptor: Descriptor) async throws -> Int64 {
        let digest = try descriptor.digest
        guard let file = store.content.path(digest) else {
            throw RegistryError(.notFound, "blob \(digest) to push to \(transport.host)/\(path) is not in the store")
        }
        let upload = Upload(digest: digest, mediaType: descriptor.mediaType, size: descriptor.size, file: file, progress: progress)
        if let chunk = transport.configuration.uploadChunkSize, chunk < 1 {
            throw RegistryError(.invalidArgument, "the upload chunk size must be a positive number of bytes, not \(chunk)")
        }
        let chunkSize = transport.configuration.uploadChunkSize.map(Int64.init)
        // The session a broken chunked upload left, to resume on the next try.
        var session: (location: String, offset: Int64)?
        try await transport.configuration.retry.run { attempt in
            if attempt > 1 { upload.report(.retrying, session?.offset ?? 0) }
            var location: String
            var offset: Int64 = 0
            if let previous = session, let status = try await uploadStatus(previous.location) {
                (location, offset) = status
            } else {
                guard let opened = try await openSession(upload) else { return }
                location = opened
            }
            if let chunkSize, upload.size > chunkSize {
                while offset < upload.size {
                    session = (location, offset)
                    let length = min(chunkSize, upload.size - offset)
                    location = try await sendChunk(upload, at: offset, length: length, to: location)
                    offset += length
                }
                session = (location, offset)
                try await finish(upload, at: location, body: nil)
            } else {
                try await finish(upload, at: location, body: (0, upload.size))
            }
            upload.report(.complete, upload.size)
        }
        return upload.sent.value
    }

    /// Opens an upload session and returns its location, or nil when nothing needs uploading
    /// (the registry has the blob, or mounted it from another repository).
    private func openSession(_ upload: Upload) async throws -> String? {
        do {
            let head = try await transport.send(
                RegistryRequest(.HEAD, "/v2/\(path)/blobs/\(upload.digest)", scopes: [RegistryScope.push(path)]),
                expecting: [200, 404])
            if head.status == .ok {
                upload.report(.alreadyPresent, upload.size)
                return nil
            }
        } catch let error as RegistryError where (error.status ?? 0) >= 500 {
            // The check only saves an upload. A registry that cannot answer it (one restarted
            // after a crash may fail on a blob it half wrote) gets the blob uploaded again.
        }
        for source in mountSources where source != path {
            let mount = try await transport.send(
                RegistryRequest(
                    .POST, "/v2/\(path)/blobs/uploads/?mount=\(upload.digest)&from=\(source)",
                    scopes: [RegistryScope.push(path), RegistryScope.pull(source)], headers: ["Content-Length": "0"]),
                expecting: [201, 202])
            if mount.status == .created {
                upload.report(.mounted, upload.size)
                return nil
            }
            // 202: the registry could not mount and opened an ordinary upload instead.
            return try uploadLocation(mount, "POST /v2/\(path)/blobs/uploads/")
        }
        let start = try await transport.send(
            RegistryRequest(.POST, "/v2/\(path)/blobs/uploads/", scopes: [RegistryScope.push(path)], headers: ["Content-Length": "0"]),
            expecting: [202])
        return try uploadLocation(start, "POST /v2/\(path)/blobs/uploads/")
    }

    /// Where an interrupted session stands (`Range: 0-LAST`), or nil when the registry no
    /// longer knows it and the upload must start over.
    private func uploadStatus(_ location: String) async throws -> (location: String, offset: Int64)? {
        let response = try await transport.send(RegistryRequest(.GET, location, scopes: [RegistryScope.push(path)]), expecting: [204, 404])
        guard response.status == .noContent else {
            _ = try? await response.body.collect(upTo: 1 << 16)
            return nil
        }
        guard let range = response.headers.first(name: "Range"), let dash = range.lastIndex(of: "-"),
            let last = Int64(range[range.index(after: dash)...])
        else { return nil }
        // "0-0" is what the registry says for an empty session too; resending one byte is harmless.
        let offset = last == 0 ? 0 : last + 1
        return (try uploadLocation(response, "GET upload status"), offset)
    }

    /// PATCHes `length` bytes from `offset`; returns the session's next location.
    private func sendChunk(_ upload: Upload, at offset: Int64, length: Int64, to location: String) async throws -> String {
        let chunks = upload.chunks(from: offset, length: length)
        let response = try await transport.send(
            RegistryRequest(
                .PATCH, location, scopes: [RegistryScope.push(path)],
                headers: [
                    "Content-Type": "application/octet-stream", "Content-Range": "\(offset)-\(offset + length - 1)",
                    "Content-Length": "\(length)",
                ],
                body: { .stream(chunks, length: .known(length)) }),
            expecting: [202])
        return try uploadLocation(response, "PATCH \(path) upload")
    }

    /// Closes the session with the digest, sending `body` (offset, length) with it if any.
    private func finish(_ upload: Upload, at location: String, body: (Int64, Int64)?) async throws {
        let target = location + (location.contains("?") ? "&" : "?") + "digest=" + upload.digest.description
        var request = RegistryRequest(.PUT, target, scopes: [RegistryScope.push(path)], headers: ["Content-Length": "\(body?.1 ?? 0)"])
        if let (offset, length) = body {
            let chunks = upload.chunks(from: offset, length: length)
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = { .stream(chunks, length: .known(length)) }
        }
        let response = try await transport.send(request, expecting: [201])
        _ = try? await response.body.collect(upTo: 1 << 16)
    }

    private func uploadLocation(_ response: HTTPClientResponse, _ what: String) throws -> String {
        guard let location = response.headers.first(name: "Location"), !location.isEmpty else {
            throw RegistryError(.failedPrecondition, "\(transport.host): \(what) gave no upload location")
        }
        return location
    }
}

/// One blob being uploaded: what it is, where its bytes are, how many went out.
private struct Upload: Sendable {
    let digest: Digest
    let mediaType: MediaType
    let size: Int64
    let file: String
    let progress: TransferProgressHandler
    let sent = ByteCount()

    func report(_ phase: TransferProgress.Phase, _ completed: Int64) {
        progress(TransferProgress(digest: digest, mediaType: mediaType, phase: phase, completed: completed, total: size))
    }

    /// The file's bytes from `offset`, counted and reported as they are read for sending.
    func chunks(from offset: Int64, length: Int64) -> FileChunks {
        let counted = ByteCount()
        return FileChunks(path: file, offset: offset, length: length) { [self] total in
            // A body made again (after a challenge) starts counting from zero.
            let previous = counted.exchange(total)
            sent.add(total >= previous ? total - previous : total)
            report(.uploading, offset + total)
        }
    }
}

/// A byte count shared by the tasks of one transfer.
final class ByteCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count: Int64 = 0

    var value: Int64 { lock.withLock { count } }

    func add(_ bytes: Int64) { lock.withLock { count += bytes } }

    /// Sets the count to `new`, returning the old one.
    func exchange(_ new: Int64) -> Int64 {
        lock.withLock {
            defer { count = new }
            return count
        }
    }
}
