public import Foundation
import AsyncHTTPClient
import NIOCore

extension EngineClient {
    /// `GET /version`.
    public func version() async throws -> EngineVersion {
        try await json(.GET, "/version")
    }

    /// Every image the daemon has.
    public func images() async throws -> [EngineImageSummary] {
        try await json(.GET, "/images/json")
    }

    /// The image `name`; `notFound` with the daemon's message when there is none.
    public func inspectImage(_ name: String) async throws -> EngineImageDetails {
        try await json(.GET, "/images/\(name)/json")
    }

    /// Loads a `docker save` / `hoist save` archive (the file at `archive`) into the daemon.
    public func loadImages(from archive: URL) async throws {
        let handle = try FileHandle(forReadingFrom: archive)
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? Int) ?? nil
        let data = try handle.readToEnd() ?? Data()
        let response = try await send(
            .POST, "/images/load", query: [("quiet", "1")], body: .bytes(ByteBuffer(data: data)), contentType: "application/x-tar")
        let answer = try await Self.collect(response, limit: 16 << 20)
        // A failed load still answers 200, with an error in the JSON stream.
        if let line = String(data: answer, encoding: .utf8), line.contains("\"error\"") {
            let message = (try? JSONDecoder().decode(StreamError.self, from: answer).error) ?? line
            throw EngineError(.invalidArgument, "the daemon could not load \(archive.lastPathComponent) (\(size ?? data.count) bytes): \(message)")
        }
    }

    /// Pulls `reference` (`busybox`, `registry:5000/app:1`) into the daemon; the daemon's
    /// error (from its progress stream) when the pull fails.
    public func pullImage(_ reference: String) async throws {
        let response = try await send(.POST, "/images/create", query: [("fromImage", reference)])
        var buffer = Data()
        for try await var chunk in response.body {
            buffer.append(chunk.readData(length: chunk.readableBytes) ?? Data())
        }
        for line in buffer.split(separator: UInt8(ascii: "\n")) {
            if let failure = try? JSONDecoder().decode(StreamError.self, from: Data(line)) {
                throw EngineError(.unavailable, failure.error)
            }
        }
    }

    /// Names image `source` also `repository:tag`.
    public func tagImage(_ source: String, repository: String, tag: String = "latest") async throws {
        try await perform(.POST, "/images/\(source)/tag", query: [("repo", repository), ("tag", tag)])
    }

    /// Removes image `name` (with `force`, even when it has several names or stopped containers).
    public func removeImage(_ name: String, force: Bool = false) async throws {
        try await perform(.DELETE, "/images/\(name)", query: [("force", force ? "1" : "0")])
    }
}

private struct StreamError: Decodable {
    let error: String
}
