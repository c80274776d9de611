#if canImport(Glibc)
    import Glibc
#endif

/// A ``ByteSource`` reading a file descriptor with `read(2)`.
///
/// A class because it owns the descriptor: it is closed when the source is released (or by
/// ``close()``), unless the source was made with `closeOnDeinit: false`.
public final class FileByteSource: ByteSource {
    /// The descriptor read from; -1 once closed.
    public private(set) var fileDescriptor: Int32
    private let ownsDescriptor: Bool
    private let path: String?

    /// Opens `path` for reading. Throws ``ArchiveError`` (`notFound`, …) naming the path.
    public init(path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.system("open", path: path) }
        fileDescriptor = fd
        ownsDescriptor = true
        self.path = path
    }

    /// Reads an already-open descriptor, closing it on release if `closeOnDeinit`.
    public init(fileDescriptor: Int32, closeOnDeinit: Bool = false) {
        self.fileDescriptor = fileDescriptor
        ownsDescriptor = closeOnDeinit
        path = nil
    }

    deinit {
        if ownsDescriptor && fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let n = Glibc.read(fileDescriptor, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw ArchiveError.system("read", path: path)
        }
    }

    /// Closes the descriptor now (if this source owns it).
    public func close() {
        if ownsDescriptor && fileDescriptor >= 0 { _ = Glibc.close(fileDescriptor) }
        fileDescriptor = -1
    }
}
