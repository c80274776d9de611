#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// Writes all of `data` to descriptor `fd`, again after an interrupted write; false when a write
/// fails (a reader gone, a full disk) with what came before it written.
func writeFully(_ data: Data, to fd: Int32) -> Bool {
    data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
