#if canImport(Glibc)
    import Glibc
#endif
public import HoistOCI
public import Foundation

/// A ``ContentStore`` on local disk: each blob is a read-only file `blobs/ALGORITHM/HEX`.
public struct LocalContentStore: ContentStore {
    /// The store's root directory.
    public let root: StoreRoot
    /// Holds a blob for the running operation before it is looked for or published (see ``Lease``).
    private let holder: (@Sendable (Digest) throws -> Void)?

    /// Opens (creating if needed) the content store under `root`, on its own: what it writes
    /// is held by no lease. ``Store`` opens one whose writes its leases hold.
    public init(root: StoreRoot) throws {
        try self.init(root: root, holder: nil)
    }

    init(root: StoreRoot, holder: (@Sendable (Digest) throws -> Void)?) throws {
        self.root = root
        self.holder = holder
        try root.createDirectories()
    }

    public func hold(_ digest: Digest) throws {
        try holder?(digest)
    }

    public func path(_ digest: Digest) -> String? {
        let path = blobPath(digest)
        return access(path, F_OK) == 0 ? path : nil
    }

    public func info(_ digest: Digest) throws -> BlobInfo? {
        var status = stat()
        if stat(blobPath(digest), &status) != 0 {
            if errno == ENOENT { return nil }
            throw StoreError(errnoCode(errno), "cannot read blob \(digest): \(String(cString: strerror(errno)))")
        }
        let modified = Date(timeIntervalSince1970: TimeInterval(status.st_mtim.tv_sec) + TimeInterval(status.st_mtim.tv_nsec) / 1e9)
        return BlobInfo(digest: digest, size: Int64(status.st_size), modified: modified)
    }

    public func data(_ digest: Digest) throws -> Data {
        let path = blobPath(digest)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .uncached)
        } catch {
            if access(path, F_OK) != 0 {
                throw StoreError(.notFound, "blob \(digest) is not in the store")
            }
            throw StoreError(.internal, "cannot read blob \(digest)", underlying: error)
        }
        let actual = Digest(of: data, algorithm: digest.algorithm)
        guard actual == digest else {
            throw StoreError(.dataLoss, "blob \(digest) is corrupt: its content hashes to \(actual)")
        }
        return data
    }

    public func writer(expecting digest: Digest?, size: Int64?) throws -> BlobWriter {
        try BlobWriter(
            blobsDirectory: root.blobs.path, temporaryDirectory: root.temporary.path, expecting: digest, size: size, holder: holder)
    }

    public func delete(_ digest: Digest) throws {
        let path = blobPath(digest)
        if unlink(path) != 0 && errno != ENOENT {
            throw StoreError(errnoCode(errno), "cannot delete blob \(digest): \(String(cString: strerror(errno)))")
        }
    }

    public func all() throws -> [BlobInfo] {
        var result: [BlobInfo] = []
        for algorithm in Digest.Algorithm.allCases {
            let directory = root.blobs.appendingPathComponent(algorithm.rawValue).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names {
                // Anything that is not a valid digest name is not a blob (e.g. a stray file).
                guard let digest = try? Digest(algorithm: algorithm, encoded: name), let info = try info(digest) else {
                    continue
                }
                result.append(info)
            }
        }
        return result
    }

    /// Re-hashes the blob's bytes; throws `dataLoss` when they no longer match its digest.
    public func verify(_ digest: Digest) throws {
        let path = blobPath(digest)
        let fd = try systemCall("cannot open blob \(digest)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var hasher = DigestHasher(algorithm: digest.algorithm)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try systemCall("cannot read blob \(digest)") { read(fd, buffer.baseAddress, buffer.count) }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        let actual = hasher.finalize()
        guard actual == digest else {
            throw StoreError(.dataLoss, "blob \(digest) is corrupt: its content hashes to \(actual)")
        }
    }

    private func blobPath(_ digest: Digest) -> String {
        root.blobs.path + "/" + digest.pathComponent
    }
}
