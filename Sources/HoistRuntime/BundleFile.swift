#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// The files of a container's bundle (`config.json`, the `/etc` files it binds, an exec's
/// process), written without the fsync `Data.write(to:)` makes: a bundle lasts as long as its
/// container, which a crash ends anyway, and those fsyncs cost every build step milliseconds.
enum BundleFile {
    static func write(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw RuntimeError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw RuntimeError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }
}
