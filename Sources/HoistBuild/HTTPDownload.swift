#if canImport(Glibc)
    import Glibc
#endif
import AsyncHTTPClient
import Foundation
import HoistOCI
import NIOCore

/// Fetches an `ADD https://…` source into a directory of its own, as BuildKit's HTTP source
/// does: the file is named by ``DownloadFileName`` (`filename`, or the URL's decoded last path
/// element, always one safe component), checked against `--checksum` when given, never unpacked.
struct HTTPDownload {
    let url: String
    let checksum: Digest?
    let filename: String?

    /// The file's name inside the directory: a single component, never a path.
    var name: String {
        if let filename, !filename.isEmpty { return DownloadFileName.safe(filename) }
        return DownloadFileName.of(url: url)
    }

    /// Downloads into `directory` (created) and returns the file's path.
    ///
    /// The body streams to disk through the shared HTTP client (AsyncHTTPClient: Foundation's
    /// URLSession would load libcurl and its thirty libraries into every hoist process).
    func fetch(into directory: String) async throws -> String {
        guard let address = URL(string: url), ["http", "https"].contains(address.scheme?.lowercased() ?? "") else {
            throw BuildError(.invalidArgument, "ADD \(url): not an http(s) URL")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        let partial = path + ".partial"
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BuildError(.failedPrecondition, "ADD \(url): cannot create \(partial): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(partial)
        }
        var hasher = DigestHasher(algorithm: checksum?.algorithm ?? .sha256)
        let lastModified: String?
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: address.absoluteString), timeout: .hours(1))
            guard (200..<300).contains(response.status.code) else {
                throw BuildError(.unavailable, "ADD \(url): the server answered \(response.status.code)")
            }
            lastModified = response.headers.first(name: "Last-Modified")
            for try await chunk in response.body {
                try chunk.withUnsafeReadableBytes { bytes in
                    hasher.update(bytes)
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            throw BuildError(.failedPrecondition, "ADD \(url): cannot write \(partial): \(String(cString: strerror(errno)))")
                        }
                        offset += written
                    }
                }
            }
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError(.unavailable, "ADD \(url): cannot download", underlying: error)
        }
        let digest = hasher.finalize()
        if let checksum, checksum != digest {
            throw BuildError(.dataLoss, "ADD \(url): content has digest \(digest), not the --checksum \(checksum)")
        }
        closed = true
        guard close(descriptor) == 0, rename(partial, path) == 0 else {
            throw BuildError(.failedPrecondition, "ADD \(url): cannot write \(path): \(String(cString: strerror(errno)))")
        }
        // The server's Last-Modified becomes the file's time, as in Docker.
        if let modified = lastModified, let date = Self.httpDate(modified) {
            try? FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        }
        return path
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
