#if canImport(Glibc)
    import Glibc
#endif

/// A ``ByteSink`` writing a file with `write(2)`, buffering small writes.
///
/// Made for a path it creates (or truncates) the file; ``close()`` flushes, optionally fsyncs,
/// and closes it. A class because it owns the descriptor.
public final class FileByteSink: ByteSink {
    /// The descriptor written to; -1 once closed.
    public private(set) var fileDescriptor: Int32
    private let ownsDescriptor: Bool
    private let path: String?
    private let syncOnClose: Bool
    private let buffer = ByteBuffer(capacity: 256 * 1024)
    private var buffered = 0

    /// Creates or truncates `path` with `permissions`; with `syncOnClose`, ``close()`` fsyncs
    /// before closing so the data is durable before, say, a rename into place.
    public init(path: String, permissions: UInt32 = 0o644, syncOnClose: Bool = false) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw ArchiveError.system("create", path: path) }
        fileDescriptor = fd
        ownsDescriptor = true
        self.path = path
        self.syncOnClose = syncOnClose
    }

    /// Writes an already-open descriptor; ``close()`` closes it only if `closeOnClose`.
    public init(fileDescriptor: Int32, closeOnClose: Bool = false) {
        self.fileDescriptor = fileDescriptor
        ownsDescriptor = closeOnClose
        path = nil
        syncOnClose = false
    }

    deinit {
        if ownsDescriptor && fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffered + bytes.count <= buffer.count {
            if bytes.count > 0 {
                (buffer.pointer.baseAddress! + buffered).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                buffered += bytes.count
            }
            return
        }
        try flush()
        if bytes.count >= buffer.count / 2 {
            try writeAll(bytes)
        } else {
            buffer.pointer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            buffered = bytes.count
        }
    }

    /// Writes buffered bytes to the descriptor.
    public func flush() throws {
        guard buffered > 0 else { return }
        let count = buffered
        buffered = 0
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer.pointer[..<count]))
    }

    public func close() throws {
        guard fileDescriptor >= 0 else { return }
        try flush()
        if syncOnClose && fsync(fileDescriptor) != 0 {
            throw ArchiveError.system("fsync", path: path)
        }
        if ownsDescriptor && Glibc.close(fileDescriptor) != 0 {
            fileDescriptor = -1
            throw ArchiveError.system("close", path: path)
        }
        fileDescriptor = -1
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.system("write", path: path)
            }
            offset += n
        }
    }
}
