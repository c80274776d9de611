import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import HoistOCI

/// Fetches an `ADD https://…` source into a directory of its own, as BuildKit's HTTP source
/// does: the file is named after the URL's last path component (or `filename`), checked
/// against `--checksum` when given, and never unpacked.
struct HTTPDownload {
    let url: String
    let checksum: Digest?
    let filename: String?

    /// The file's name inside the directory.
    var name: String {
        if let filename, !filename.isEmpty { return filename }
        let last = URL(string: url)?.lastPathComponent ?? ""
        return last.isEmpty || last == "/" ? "index.html" : last
    }

    /// Downloads into `directory` (created) and returns the file's path.
    func fetch(into directory: String) async throws -> String {
        guard let address = URL(string: url), ["http", "https"].contains(address.scheme?.lowercased() ?? "") else {
            throw BuildError(.invalidArgument, "ADD \(url): not an http(s) URL")
        }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(from: address)
        } catch {
            throw BuildError(.unavailable, "ADD \(url): cannot download", underlying: error)
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw BuildError(.unavailable, "ADD \(url): the server answered \(http.statusCode)")
        }
        let digest = Digest(of: data, algorithm: checksum?.algorithm ?? .sha256)
        if let checksum, checksum != digest {
            throw BuildError(.dataLoss, "ADD \(url): content has digest \(digest), not the --checksum \(checksum)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        // The server's Last-Modified becomes the file's time, as in Docker.
        if let http = response as? HTTPURLResponse, let modified = http.value(forHTTPHeaderField: "Last-Modified"),
           let date = Self.httpDate(modified) {
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
