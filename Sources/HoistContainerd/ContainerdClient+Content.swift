public import Foundation
import GRPCCore
import HoistContainerdAPI
public import HoistOCI
import SwiftProtobuf

/// containerd's content store: blobs by digest. A write goes to a ref and becomes visible
/// only when committed, after the daemon checked its digest and size.
extension ContainerdClient {
    /// The size of each message of a write: well below the daemon's 16 MiB message limit.
    static let writeChunkSize = 1 << 20

    private var contentService: Containerd_Services_Content_V1_Content.Client<Transport> {
        .init(wrapping: grpc)
    }

    /// The blob `digest`, or nil when the store does not have it.
    public func contentInfo(_ digest: Digest) async throws -> ContentInfo? {
        do {
            let response = try await call { try await contentService.info(.with { $0.digest = digest.description }, metadata: metadata()) }
            return try ContentInfo(response.info)
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Every blob in the store.
    public func contentList() async throws -> [ContentInfo] {
        try await call {
            try await contentService.list(Containerd_Services_Content_V1_ListContentRequest(), metadata: metadata()) { response in
                var infos: [ContentInfo] = []
                for try await message in response.messages {
                    for info in message.info { infos.append(try ContentInfo(info)) }
                }
                return infos
            }
        }
    }

    /// The whole blob `digest`; `notFound` when absent.
    public func readContent(_ digest: Digest) async throws -> Data {
        try await call {
            try await contentService.read(.with { $0.digest = digest.description }, metadata: metadata()) { response in
                var data = Data()
                for try await message in response.messages { data.append(message.data) }
                return data
            }
        }
    }

    /// Sets the labels of blob `digest` (those given; an empty value removes one).
    public func updateContentLabels(_ digest: Digest, _ labels: [String: String]) async throws {
        guard !labels.isEmpty else { return }
        _ = try await call {
            try await contentService.update(
                .with {
                    $0.info = .with { info in
                        info.digest = digest.description
                        info.labels = labels.filter { !$0.value.isEmpty }
                    }
                    $0.updateMask = .with { mask in mask.paths = labels.keys.sorted().map { "labels.\($0)" } }
                }, metadata: metadata())
        }
    }

    /// Removes blob `digest`.
    public func deleteContent(_ digest: Digest) async throws {
        _ = try await call { try await contentService.delete(.with { $0.digest = digest.description }, metadata: metadata()) }
    }

    /// Writes `data` as blob `digest`, labelled `labels`. See
    /// ``writeContent(digest:size:labels:lease:read:)``.
    public func writeContent(_ data: Data, digest: Digest, labels: [String: String] = [:], lease: String? = nil) async throws {
        try await writeContent(digest: digest, size: Int64(data.count), labels: labels, lease: lease) { offset, count in
            data.subdata(in: Int(offset)..<Int(offset) + count)
        }
    }

    /// Writes the file at `file` as blob `digest`. See ``writeContent(digest:size:labels:lease:read:)``.
    public func writeContent(file: URL, digest: Digest, size: Int64, labels: [String: String] = [:], lease: String? = nil) async throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let reader = LockedFileReader(handle)
        try await writeContent(digest: digest, size: size, labels: labels, lease: lease) { offset, count in
            try reader.read(at: offset, count: count)
        }
    }

    /// Writes `size` bytes that `read(offset, count)` gives as blob `digest`, labelled
    /// `labels`. The daemon commits it only when the bytes have that digest and size
    /// (`failedPrecondition` when they do not: nothing is stored). A blob the store has
    /// already is not sent again: its labels are updated, and it joins `lease`.
    public func writeContent(
        digest: Digest, size: Int64, labels: [String: String] = [:], lease: String? = nil,
        read: @escaping @Sendable (_ offset: Int64, _ count: Int) throws -> Data
    ) async throws {
        if try await contentInfo(digest) != nil {
            do {
                try await keepExisting(digest, labels: labels, lease: lease)
                return
            } catch let error as ContainerdError where error.code == .notFound {
                // Collected between the look and the lease (another client removed the last
                // image that held it): written anew, under the lease this time.
            }
        }
        let ref = "hoist-\(digest.encoded.prefix(16))-\(UUID().uuidString)"
        do {
            try await call {
                try await contentService.write(
                    metadata: metadata(lease: lease),
                    requestProducer: { writer in
                        try await writer.write(.with {
                            $0.action = .stat
                            $0.ref = ref
                            $0.total = size
                            $0.expected = digest.description
                        })
                        var offset: Int64 = 0
                        while offset < size {
                            let count = Int(min(Int64(Self.writeChunkSize), size - offset))
                            let chunk = try read(offset, count)
                            guard chunk.count == count else {
                                throw ContainerdError(.dataLoss, "blob \(digest) ended after \(offset + Int64(chunk.count)) of \(size) bytes")
                            }
                            try await writer.write(.with {
                                $0.action = .write
                                $0.ref = ref
                                $0.offset = offset
                                $0.data = chunk
                            })
                            offset += Int64(count)
                        }
                        try await writer.write(.with {
                            $0.action = .commit
                            $0.ref = ref
                            $0.total = size
                            $0.offset = size
                            $0.expected = digest.description
                            $0.labels = labels
                        })
                    },
                    onResponse: { response in
                        // Each request is answered; the write is done when its commit is.
                        var committed = false
                        for try await message in response.messages where message.action == .commit { committed = true }
                        guard committed else { throw ContainerdError(.internal, "containerd did not confirm the commit of \(digest)") }
                    })
            }
        } catch let error as ContainerdError where error.code == .alreadyExists {
            // Another writer committed it meanwhile: the blob is there.
            try await keepExisting(digest, labels: labels, lease: lease)
        } catch {
            _ = try? await contentService.abort(.with { $0.ref = ref }, metadata: metadata())
            throw error
        }
    }

    /// Labels blob `digest`, which the store has, and holds it in `lease`, so the garbage
    /// collector cannot take it before what will reference it is made.
    private func keepExisting(_ digest: Digest, labels: [String: String], lease: String?) async throws {
        if let lease { try await addToLease(lease, resource: digest.description, type: "content") }
        try await updateContentLabels(digest, labels)
    }

    /// The write under way at `ref`, or nil when there is none.
    public func contentStatus(ref: String) async throws -> ContentWriteStatus? {
        do {
            let response = try await call { try await contentService.status(.with { $0.ref = ref }, metadata: metadata()) }
            return ContentWriteStatus(response.status)
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Every write under way.
    public func contentStatuses() async throws -> [ContentWriteStatus] {
        try await call {
            try await contentService.listStatuses(Containerd_Services_Content_V1_ListStatusesRequest(), metadata: metadata())
                .statuses.map(ContentWriteStatus.init)
        }
    }
}

extension ContentInfo {
    init(_ info: Containerd_Services_Content_V1_Info) throws {
        self.init(
            digest: try Digest(parsing: info.digest), size: info.size, created: info.createdAt.date, updated: info.updatedAt.date,
            labels: info.labels)
    }
}

extension ContentWriteStatus {
    init(_ status: Containerd_Services_Content_V1_Status) {
        self.init(
            ref: status.ref, offset: status.offset, total: status.total, expected: try? Digest(parsing: status.expected),
            started: status.startedAt.date, updated: status.updatedAt.date)
    }
}

/// A file read at offsets from the write's request producer.
private final class LockedFileReader: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    init(_ handle: FileHandle) { self.handle = handle }

    func read(at offset: Int64, count: Int) throws -> Data {
        try lock.withLock {
            try handle.seek(toOffset: UInt64(offset))
            return try handle.read(upToCount: count) ?? Data()
        }
    }
}
