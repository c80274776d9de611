#if canImport(Glibc)
    import Glibc
#endif
public import HoistOCI
public import Foundation

/// Ingests one blob: bytes go to a private temporary file while they are hashed; ``commit()``
/// checks the digest and size, fsyncs, and renames the file to its content address. Until then
/// nothing is visible, so a crash or a wrong digest never leaves a bad blob under a digest.
///
/// A writer is used by one task at a time. Dropping it without committing discards the bytes.
public final class BlobWriter {
    private let expectedDigest: Digest?
    private let expectedSize: Int64?
    private let blobsDirectory: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var hasher: DigestHasher
    private var finished = false
    private let holder: (@Sendable (Digest) throws -> Void)?

    /// The number of bytes written so far.
    public var count: Int64 { hasher.count }
    /// After ``commit()``: whether the store held the blob already (this writer added nothing).
    public private(set) var wasPresent = false

    init(blobsDirectory: String, temporaryDirectory: String, expecting digest: Digest?, size: Int64?,
         holder: (@Sendable (Digest) throws -> Void)? = nil) throws {
        self.blobsDirectory = blobsDirectory
        self.holder = holder
        self.expectedDigest = digest
        self.expectedSize = size
        self.hasher = DigestHasher(algorithm: digest?.algorithm ?? .sha256)
        var template = Array("\(temporaryDirectory)/ingest-XXXXXX".utf8CString)
        let fd = try systemCall("cannot create a temporary file in \(temporaryDirectory)") {
            template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        }
        self.descriptor = fd
        self.temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends bytes to the blob.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "write after commit or abort")
        if let expectedSize, hasher.count + Int64(bytes.count) > expectedSize {
            throw StoreError(.dataLoss, "blob \(expectedDigest.map(String.init(describing:)) ?? "") is larger than its expected \(expectedSize) bytes")
        }
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let written = try systemCall("cannot write to \(temporaryPath)") {
                Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += written
        }
    }

    /// Appends bytes to the blob.
    public func write(_ data: some DataProtocol) throws {
        for region in data.regions {
            try region.withUnsafeBytes { (buffer) in try write(buffer) }
        }
    }

    /// Verifies and publishes the blob, returning its digest and size. Throws `dataLoss` (and
    /// discards the bytes) when they do not match what was expected.
    @discardableResult
    public func commit() throws -> (digest: Digest, size: Int64) {
        precondition(!finished, "commit after commit or abort")
        let digest = hasher.finalize()
        let size = hasher.count
        do {
            if let expectedDigest, expectedDigest != digest {
                throw StoreError(.dataLoss, "content for \(expectedDigest) hashes to \(digest); not stored")
            }
            if let expectedSize, expectedSize != size {
                throw StoreError(.dataLoss, "blob \(digest) has \(size) bytes, expected \(expectedSize); not stored")
            }
            let directory = "\(blobsDirectory)/\(digest.algorithm.rawValue)"
            let final = "\(directory)/\(digest.encoded)"
            // The operation's lease holds the blob before it is found present or published,
            // so a collection running meanwhile either took it before (and it is written
            // again here) or leaves it.
            try holder?(digest)
            if access(final, F_OK) == 0 {
                // Same digest, same bytes: the published file stays untouched.
                wasPresent = true
                discard()
                return (digest, size)
            }
            try systemCall("cannot flush \(temporaryPath)") { fsync(descriptor) }
            // Blobs are immutable: readable by all, writable by none.
            try systemCall("cannot set mode of \(temporaryPath)") { fchmod(descriptor, 0o444) }
            Glibc.close(descriptor)
            descriptor = -1
            try systemCall("cannot move blob \(digest) into place") { rename(temporaryPath, final) }
            try syncDirectory(directory)
        } catch {
            discard()
            throw error
        }
        finished = true
        return (digest, size)
    }

    /// Discards what was written.
    public func abort() {
        if !finished { discard() }
    }

    private func discard() {
        finished = true
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }
}

/// Makes a directory's entries (a rename into it) durable.
func syncDirectory(_ path: String) throws {
    let fd = try systemCall("cannot open directory \(path)") { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    defer { close(fd) }
    try systemCall("cannot flush directory \(path)") { fsync(fd) }
}
