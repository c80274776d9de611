public import HoistOCI
public import Foundation

/// What the store knows of a blob.
public struct BlobInfo: Sendable, Hashable {
    /// The blob's digest, which is also its identity.
    public let digest: Digest
    /// Its size in bytes.
    public let size: Int64
    /// When it was last written.
    public let modified: Date
}

/// Content-addressed blob storage.
///
/// Lifecycle: a blob is ingested through a ``BlobWriter`` (``ContentStore/writer(expecting:size:)``);
/// it becomes visible under its digest only when ``BlobWriter/commit()`` has verified digest and
/// size and made it durable. A blob is never modified afterwards; ``ContentStore/delete(_:)``
/// removes it (garbage collection decides when).
public protocol ContentStore: Sendable {
    /// The blob's info, or nil when it is absent.
    func info(_ digest: Digest) throws -> BlobInfo?
    /// The whole blob. Throws `notFound` when it is absent and `dataLoss` when its bytes no longer
    /// hash to its digest.
    func data(_ digest: Digest) throws -> Data
    /// The path of the blob's file, for streaming reads; nil when the blob is absent.
    func path(_ digest: Digest) -> String?
    /// A writer for a new blob, expected to hash to `digest` (when known) and be `size` bytes long.
    func writer(expecting digest: Digest?, size: Int64?) throws -> BlobWriter
    /// Removes a blob; removing an absent one is not an error.
    func delete(_ digest: Digest) throws
    /// Every blob in the store.
    func all() throws -> [BlobInfo]
    /// Holds `digest` for the running operation's lease (see ``Lease``) so that garbage
    /// collection leaves it until it is named; call it before finding the blob present and
    /// relying on that. A store without leases does nothing.
    func hold(_ digest: Digest) throws
}

extension ContentStore {
    /// Stores `bytes` and returns their descriptor-ready digest and size. Writing a blob that is
    /// present already costs only the hash.
    @discardableResult
    public func write(_ bytes: some DataProtocol, expecting digest: Digest? = nil) throws -> (digest: Digest, size: Int64) {
        let computed = Digest(of: bytes, algorithm: digest?.algorithm ?? .sha256)
        if let digest, digest != computed {
            throw StoreError(.dataLoss, "content does not match digest \(digest): it hashes to \(computed)")
        }
        // Held before it is looked for: a blob found present stays present.
        try hold(computed)
        if let existing = try info(computed), existing.size == Int64(bytes.count) {
            return (computed, existing.size)
        }
        let writer = try writer(expecting: computed, size: Int64(bytes.count))
        do {
            try writer.write(bytes)
            try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
        return (computed, Int64(bytes.count))
    }

    /// True when the blob is present.
    public func contains(_ digest: Digest) throws -> Bool { try info(digest) != nil }

    /// True when the blob `descriptor` names is present with the size the descriptor claims.
    /// Throws `dataLoss` when the blob of that digest has another size — the descriptor lies, and
    /// its size must not be believed (sums of sizes, progress totals) — and `invalidArgument` for
    /// a negative size or a digest Hoist cannot verify.
    public func contains(_ descriptor: Descriptor) throws -> Bool {
        guard descriptor.size >= 0 else {
            throw StoreError(.invalidArgument, "descriptor of \(descriptor.digestString) has a negative size \(descriptor.size)")
        }
        let digest: Digest
        do {
            digest = try descriptor.digest
        } catch {
            throw StoreError(error.code, error.message)
        }
        guard let blob = try info(digest) else { return false }
        guard blob.size == descriptor.size else {
            throw StoreError(.dataLoss, "blob \(digest) is \(blob.size) bytes, but its descriptor says \(descriptor.size)")
        }
        return true
    }
}
