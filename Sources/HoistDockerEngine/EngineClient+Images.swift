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

extension EngineClient {
    /// What `POST /build` is asked.
    public struct BuildRequest: Sendable {
        /// The build context as a tar (plain or compressed).
        public var context: URL
        /// The Dockerfile's path inside the context.
        public var dockerfile: String
        public var tags: [String]
        public var buildArguments: [String: String]
        public var target: String?
        public var labels: [String: String]
        public var noCache: Bool
        /// `none` or `host`.
        public var networkMode: String?

        public init(context: URL, dockerfile: String = "Dockerfile", tags: [String] = [], buildArguments: [String: String] = [:],
                    target: String? = nil, labels: [String: String] = [:], noCache: Bool = false, networkMode: String? = nil) {
            self.context = context
            self.dockerfile = dockerfile
            self.tags = tags
            self.buildArguments = buildArguments
            self.target = target
            self.labels = labels
            self.noCache = noCache
            self.networkMode = networkMode
        }
    }

    /// Has the daemon's own builder build `request`, handing each line of its output to
    /// `output`, and returns the image ID; the daemon's error message (verbatim) when the build
    /// fails.
    public func build(_ request: BuildRequest, output: (String) -> Void = { _ in }) async throws -> String {
        var query = [("dockerfile", request.dockerfile), ("rm", "1"), ("forcerm", "1")]
        for tag in request.tags { query.append(("t", tag)) }
        if let target = request.target { query.append(("target", target)) }
        if request.noCache { query.append(("nocache", "1")) }
        if let network = request.networkMode { query.append(("networkmode", network)) }
        func json(_ object: [String: String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        if !request.buildArguments.isEmpty { query.append(("buildargs", try json(request.buildArguments))) }
        if !request.labels.isEmpty { query.append(("labels", try json(request.labels))) }
        let context = try Data(contentsOf: request.context)
        let response = try await send(.POST, "/build", query: query, body: .bytes(ByteBuffer(data: context)), contentType: "application/x-tar")
        var buffer = Data()
        var imageID: String?
        var failure: String?
        func handle(_ line: Data) {
            guard let message = try? JSONDecoder().decode(BuildMessage.self, from: line) else { return }
            if let text = message.stream { text.split(separator: "\n").forEach { output(String($0)) } }
            if let error = message.error { failure = error }
            if let id = message.aux?.id { imageID = id }
        }
        for try await var chunk in response.body {
            buffer.append(chunk.readData(length: chunk.readableBytes) ?? Data())
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                handle(Data(buffer[buffer.startIndex..<newline]))
                buffer = Data(buffer[(newline + 1)...])
            }
        }
        if !buffer.isEmpty { handle(buffer) }
        if let failure { throw EngineError(.failedPrecondition, failure) }
        guard let imageID else { throw EngineError(.dataLoss, "the daemon's build ended without an image ID") }
        return imageID
    }
}

/// One line of `POST /build`'s JSON stream.
private struct BuildMessage: Decodable {
    let stream: String?
    let error: String?
    let aux: Aux?

    struct Aux: Decodable {
        let id: String?
        enum CodingKeys: String, CodingKey { case id = "ID" }
    }
}
