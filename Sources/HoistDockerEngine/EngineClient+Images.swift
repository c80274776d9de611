public import Foundation
import AsyncHTTPClient
import NIOCore

extension EngineClient {
    /// `GET /version`.
    public func version() async throws -> EngineVersion {
        try await json(.GET, "/version")
    }

    /// The daemon's images that meet `filters` (`dangling`, `label`, `reference`, `before`,
    /// `since`, `until`, each with its values), as the daemon judges them; every one without.
    public func images(filters: [String: [String]] = [:]) async throws -> [EngineImageSummary] {
        try await json(.GET, "/images/json", query: filters.isEmpty ? [] : [("filters", try Self.filterQuery(filters))])
    }

    /// The image `name`; `notFound` with the daemon's message when there is none.
    public func inspectImage(_ name: String) async throws -> EngineImageDetails {
        try await json(.GET, "/images/\(name)/json")
    }

    /// Loads a `docker save` / `hoist save` archive (the file at `archive`) into the daemon.
    @discardableResult
    public func loadImages(from archive: URL) async throws -> [String] {
        let (body, size) = try Self.fileBody(archive)
        let response = try await send(.POST, "/images/load", query: [("quiet", "1")], body: body, contentType: "application/x-tar")
        let answer = try await Self.collect(response, limit: 16 << 20)
        // A failed load still answers 200, with an error in the JSON stream.
        if let line = String(data: answer, encoding: .utf8), line.contains("\"error\"") {
            let message = (try? JSONDecoder().decode(StreamError.self, from: answer).error) ?? line
            throw EngineError(.invalidArgument, "the daemon could not load \(archive.lastPathComponent) (\(size) bytes): \(message)")
        }
        return Self.loadedImages(answer)
    }

    /// What a load's answer says it loaded: `Loaded image: NAME` and `Loaded image ID: ID`
    /// lines of its JSON stream, the names (or IDs) in order.
    static func loadedImages(_ answer: Data) -> [String] {
        struct Line: Decodable { let stream: String? }
        return answer.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Line.self, from: Data($0)).stream }
            .flatMap { $0.split(separator: "\n") }
            .compactMap { line -> String? in
                for prefix in ["Loaded image ID: ", "Loaded image: "] where line.hasPrefix(prefix) {
                    return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
                }
                return nil
            }
    }

    /// Writes `docker save` of image `name` (a Docker archive: `manifest.json`, the config and
    /// every layer as a plain tar) to the file `destination`, streamed.
    public func saveImage(_ name: String, to destination: URL) async throws {
        try await saveImages([name], to: destination)
    }

    /// Writes `docker save` of the images `names` to the file `destination`, streamed.
    public func saveImages(_ names: [String], to destination: URL) async throws {
        let response = try await send(.GET, "/images/get", query: names.map { ("names", $0) })
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw EngineError(.failedPrecondition, "cannot create \(destination.path)")
        }
        let file = try FileHandle(forWritingTo: destination)
        defer { try? file.close() }
        for try await chunk in response.body {
            try file.write(contentsOf: chunk.readableBytesView)
        }
    }

    /// Pulls `reference` (`busybox`, `registry:5000/app:1`) into the daemon, with
    /// `registryAuth` (``registryAuth(username:password:identityToken:serverAddress:)``) as its credential,
    /// for `platform` (`linux/arm64`; nil: the daemon's), handing each progress message to
    /// `progress`; the daemon's error (from its progress stream) when the pull fails, and
    /// `unavailable` when it has not ended within `timeout`.
    public func pullImage(_ reference: String, registryAuth: String? = nil, platform: String? = nil, timeout: Duration = .seconds(24 * 3600),
                          progress: (EngineProgressMessage) -> Void = { _ in }) async throws {
        var query = [("fromImage", reference)]
        if let platform { query.append(("platform", platform)) }
        let response = try await send(
            .POST, "/images/create", query: query, headers: registryAuth.map { [("X-Registry-Auth", $0)] } ?? [],
            timeout: .nanoseconds(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
        try await Self.followProgress(response, progress)
    }

    /// Pushes `repository` (`registry:5000/app`) at `tag` from the daemon to its registry, as
    /// ``pullImage(_:registryAuth:progress:)`` pulls; returns the pushed manifest's tag,
    /// digest and size as the daemon reports them, if it does.
    @discardableResult
    public func pushImage(_ repository: String, tag: String?, registryAuth: String?,
                          progress: (EngineProgressMessage) -> Void = { _ in }) async throws -> EngineProgressMessage.Aux? {
        // The daemon wants the header even without a credential.
        let response = try await send(
            .POST, "/images/\(repository)/push", query: tag.map { [("tag", $0)] } ?? [],
            headers: [("X-Registry-Auth", registryAuth ?? Self.registryAuth())])
        var pushed: EngineProgressMessage.Aux?
        try await Self.followProgress(response) { message in
            if let aux = message.aux, aux.digest != nil { pushed = aux }
            progress(message)
        }
        return pushed
    }

    /// The `X-Registry-Auth` value for a credential: a user name and password or an identity
    /// token, for the registry at `serverAddress`; with none of them, an empty credential.
    public static func registryAuth(username: String? = nil, password: String? = nil, identityToken: String? = nil,
                                    serverAddress: String? = nil) -> String {
        let fields = ["username": username, "password": password, "identitytoken": identityToken, "serveraddress": serverAddress]
        let object = fields.compactMapValues { $0.flatMap { $0.isEmpty ? nil : $0 } }
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Reads a JSON progress stream line by line, handing each message to `handler`; throws
    /// the daemon's error message, verbatim, when one arrives.
    static func followProgress(_ response: HTTPClientResponse, _ handler: (EngineProgressMessage) -> Void) async throws {
        var buffer = Data()
        var failure: String?
        func handle(_ line: Data) {
            guard let message = try? JSONDecoder().decode(EngineProgressMessage.self, from: line) else { return }
            if let error = message.error { failure = failure ?? error }
            handler(message)
        }
        for try await var chunk in response.body {
            buffer.append(chunk.readData(length: chunk.readableBytes) ?? Data())
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                handle(Data(buffer[buffer.startIndex..<newline]))
                buffer = Data(buffer[(newline + 1)...])
            }
        }
        if !buffer.isEmpty { handle(buffer) }
        if let failure { throw EngineError(.unavailable, failure) }
    }

    /// `POST /images/prune`: removes the unused images `filters` select (`dangling`, `until`,
    /// `label`, `label!`, each with its values), as the daemon judges them; its error verbatim
    /// for a filter it does not accept.
    public func pruneImages(filters: [String: [String]]) async throws -> EnginePruneAnswer {
        try await json(.POST, "/images/prune", query: [("filters", try Self.filterQuery(filters))])
    }

    /// Filters as the Engine API's `filters` query parameter: JSON of values by key.
    static func filterQuery(_ filters: [String: [String]]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: filters, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Names image `source` also `repository:tag`.
    public func tagImage(_ source: String, repository: String, tag: String = "latest") async throws {
        try await perform(.POST, "/images/\(source)/tag", query: [("repo", repository), ("tag", tag)])
    }

    /// Removes image `name` (with `force`, even when it has several names or stopped
    /// containers); the names taken off and the images deleted, in the daemon's order.
    @discardableResult
    public func removeImage(_ name: String, force: Bool = false) async throws -> [EngineImageRemoval] {
        try await json(.DELETE, "/images/\(name)", query: [("force", force ? "1" : "0")])
    }
}

extension EngineClient {
    /// The file at `url` as a request body read a megabyte at a time as it is sent, never
    /// whole in memory; and its size.
    static func fileBody(_ url: URL) throws -> (body: HTTPClientRequest.Body, size: Int64) {
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
        let file = try FileHandle(forReadingFrom: url)
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> {
            guard let data = try file.read(upToCount: 1 << 20), !data.isEmpty else {
                try file.close()
                return nil
            }
            return ByteBuffer(data: data)
        }
        return (.stream(chunks, length: .known(size)), size)
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
        let response = try await send(.POST, "/build", query: query, body: try Self.fileBody(request.context).body, contentType: "application/x-tar")
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
