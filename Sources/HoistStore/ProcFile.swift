#if canImport(Glibc)
    import Glibc
#endif

/// Files under /proc read whole. They report a size of zero and come in pieces, and
/// Foundation's `String(contentsOfFile:)` stops after the first 4 KiB of them — a mount table
/// of a busy host is several times that.
public enum ProcFile {
    /// The text of `path`, read until end of file, or nil when it cannot be opened.
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
