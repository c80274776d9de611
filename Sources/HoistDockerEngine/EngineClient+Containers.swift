public import Foundation
import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat

extension EngineClient {
    /// Creates a container (not started) and returns its ID; with `platform` (`os/arch[/variant]`),
    /// of the daemon's image for that platform.
    public func createContainer(_ config: EngineContainerConfig, name: String? = nil, platform: String? = nil) async throws -> String {
        let query = (name.map { [("name", $0)] } ?? []) + (platform.map { [("platform", $0)] } ?? [])
        let answer: IDAnswer = try await json(.POST, "/containers/create", query: query, body: config)
        return answer.id
    }

    public func startContainer(_ id: String) async throws {
        try await perform(.POST, "/containers/\(id)/start")
    }

    /// Waits for container `id` to end and returns its exit code. `condition` is the Engine's:
    /// nil (`not-running`) returns at once for a container that is not running; `next-exit`
    /// waits for the next end even of one not started yet, and still answers when the daemon
    /// removes it then (`--rm`).
    public func waitContainer(_ id: String, condition: String? = nil) async throws -> Int32 {
        try await beginWait(id, condition: condition).exitCode()
    }

    /// Asks the daemon to wait for container `id` as ``waitContainer(_:condition:)`` does, and
    /// returns as soon as the daemon has the wait in place (it answers the head first), so a
    /// start that follows cannot end the container before a `next-exit` wait exists. The exit
    /// code is read from the returned wait.
    public func beginWait(_ id: String, condition: String? = nil) async throws -> ContainerWait {
        let response = try await send(.POST, "/containers/\(id)/wait", query: condition.map { [("condition", $0)] } ?? [])
        return ContainerWait(id: id, response: response)
    }

    /// The IDs of the daemon's containers (running ones unless `all`).
    public func containerIDs(all: Bool) async throws -> [String] {
        let answer: [IDAnswer] = try await json(.GET, "/containers/json", query: [("all", all ? "1" : "0")])
        return answer.map(\.id)
    }

    /// `POST /containers/{id}/stop`: the stop signal, then SIGKILL after `timeout` seconds
    /// (nil: the container's own stop timeout, else the daemon's 10).
    public func stopContainer(_ id: String, timeout: Int?) async throws {
        try await perform(.POST, "/containers/\(id)/stop", query: timeout.map { [("t", String($0))] } ?? [])
    }

    /// Sends `signal` to container `id`'s process.
    public func killContainer(_ id: String, signal: String = "KILL") async throws {
        try await perform(.POST, "/containers/\(id)/kill", query: [("signal", signal)])
    }

    /// Removes container `id` (with `force`, a running one too) and, with `volumes`, its
    /// anonymous volumes (`docker rm -v`).
    public func removeContainer(_ id: String, force: Bool = false, volumes: Bool = true) async throws {
        try await perform(.DELETE, "/containers/\(id)", query: [("force", force ? "1" : "0"), ("v", volumes ? "1" : "0")])
    }

    public func inspectContainer(_ id: String) async throws -> EngineContainerDetails {
        try await json(.GET, "/containers/\(id)/json")
    }

    public func containerState(_ id: String) async throws -> EngineContainerState {
        let answer: ContainerInspectAnswer = try await json(.GET, "/containers/\(id)/json")
        return answer.state
    }

    /// What container `id` has written (all of it; with `follow`, until it ends), each chunk
    /// handed to `handler` as it is decoded.
    public func containerLogs(_ id: String, follow: Bool = false, handler: (EngineStream, Data) throws -> Void) async throws {
        let response = try await send(
            .GET, "/containers/\(id)/logs", query: [("stdout", "1"), ("stderr", "1"), ("follow", follow ? "1" : "0")])
        try await Self.demultiplex(response, handler)
    }

    /// Runs an existing container to its end: start, wait, collect its logs.
    public func runToCompletion(_ id: String) async throws -> EngineRun {
        try await startContainer(id)
        let code = try await waitContainer(id)
        let collector = RunCollector()
        try await containerLogs(id) { collector.append($0, $1) }
        return collector.run(exitCode: code)
    }

    /// Runs `command` in running container `id` and returns its output and exit code.
    public func exec(_ id: String, _ command: [String], environment: [String]? = nil, workingDirectory: String? = nil,
                     user: String? = nil) async throws -> EngineRun {
        let created: IDAnswer = try await json(
            .POST, "/containers/\(id)/exec",
            body: ExecCreateBody(cmd: command, env: environment, workingDir: workingDirectory, user: user))
        let body = try JSONEncoder().encode(ExecStartBody())
        let response = try await send(.POST, "/exec/\(created.id)/start", body: .bytes(ByteBuffer(data: body)))
        let collector = RunCollector()
        try await Self.demultiplex(response) { collector.append($0, $1) }
        var inspected: ExecInspectAnswer = try await json(.GET, "/exec/\(created.id)/json")
        // The stream ends as the process does; the exit code may follow a moment later.
        for _ in 0..<100 where inspected.running {
            try await Task.sleep(nanoseconds: 10_000_000)
            inspected = try await json(.GET, "/exec/\(created.id)/json")
        }
        return collector.run(exitCode: inspected.exitCode ?? -1)
    }

    /// A tar of `path` in container `id`, its top entry named as the path's last component.
    public func archive(_ id: String, path: String) async throws -> Data {
        let response = try await send(.GET, "/containers/\(id)/archive", query: [("path", path)])
        return try await Self.collect(response, limit: 4 << 30)
    }

    /// Writes a tar of `path` in container `id` (its top entry named as the path's last
    /// component) to the file `destination`, streamed: `GET /containers/{id}/archive`.
    public func archive(_ id: String, path: String, to destination: URL) async throws {
        let response = try await send(.GET, "/containers/\(id)/archive", query: [("path", path)])
        guard FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw EngineError(.failedPrecondition, "cannot create \(destination.path)")
        }
        let file = try FileHandle(forWritingTo: destination)
        defer { try? file.close() }
        for try await chunk in response.body {
            try file.write(contentsOf: chunk.readableBytesView)
        }
    }

    /// What `path` is in container `id` (`HEAD /containers/{id}/archive`), or nil when nothing is there.
    public func pathStat(_ path: String, container id: String) async throws -> EnginePathStat? {
        let response: HTTPClientResponse
        do {
            response = try await send(.HEAD, "/containers/\(id)/archive", query: [("path", path)])
        } catch let error as EngineError where error.status == 404 {
            return nil
        }
        guard let header = response.headers.first(name: "X-Docker-Container-Path-Stat"),
            let json = Data(base64Encoded: header), let stat = try? JSONDecoder().decode(EnginePathStat.self, from: json)
        else {
            throw EngineError(.dataLoss, "the daemon described \(path) in container \(id) without its stat")
        }
        return stat
    }

    /// Extracts the tar `archive` into directory `path` of container `id`.
    /// With `copyUIDGID` the daemon gives every entry the container's user and its group (`docker cp -a`).
    public func extract(_ archive: Data, into path: String, container id: String, copyUIDGID: Bool = false) async throws {
        let response = try await send(
            .PUT, "/containers/\(id)/archive", query: [("path", path)] + (copyUIDGID ? [("copyUIDGID", "true")] : []),
            body: .bytes(ByteBuffer(data: archive)),
            contentType: "application/x-tar")
        _ = try await Self.collect(response, limit: 1 << 20)
    }

    /// Extracts the tar in the file `archive` into directory `path` of container `id`, streamed
    /// (`PUT /containers/{id}/archive`): entries keep the owners, modes and times of their
    /// headers, replace what is there unless both are directories, and `..` leads nowhere out.
    ///
    /// The upload has a deadline (two minutes, and a second for each 4 MiB): under load a
    /// daemon was seen waiting for an upload's first bytes that never came while it held the
    /// container's lock, so that its other requests for it waited too. Past the deadline the
    /// connection is closed, which frees the daemon's side, and the error is transient
    /// (``EngineError/isTransient``): the caller may make a new container and try again.
    public func extract(archiveAt archive: URL, into path: String, container id: String) async throws {
        let (body, size) = try Self.fileBody(archive)
        let seconds = 120 + size / (4 << 20)
        do {
            let response = try await send(
                .PUT, "/containers/\(id)/archive", query: [("path", path)], body: body, contentType: "application/x-tar",
                timeout: .seconds(seconds))
            _ = try await Self.collect(response, limit: 1 << 20)
        } catch let error as EngineError where (error.underlying as? HTTPClientError) == .deadlineExceeded {
            throw EngineError(.unavailable, "the daemon did not take the archive for container \(id) within \(seconds) s", underlying: error)
        }
    }

    /// Makes an image of container `id` (named `repository:tag` when given) and returns its ID.
    public func commit(_ id: String, repository: String? = nil, tag: String? = nil, changes: [String] = [],
                       comment: String? = nil, author: String? = nil) async throws -> String {
        var query = [("container", id)]
        if let author { query.append(("author", author)) }
        if let repository { query.append(("repo", repository)) }
        if let tag { query.append(("tag", tag)) }
        if let comment { query.append(("comment", comment)) }
        for change in changes { query.append(("changes", change)) }
        let answer: IDAnswer = try await json(.POST, "/commit", query: query)
        return answer.id
    }

    /// Feeds a multiplexed response body through the decoder to `handler`.
    static func demultiplex(_ response: HTTPClientResponse, _ handler: (EngineStream, Data) throws -> Void) async throws {
        var decoder = MultiplexedStreamDecoder()
        for try await var chunk in response.body {
            let bytes = chunk.readData(length: chunk.readableBytes) ?? Data()
            for frame in try decoder.feed(bytes) { try handler(frame.stream, frame.payload) }
        }
        try decoder.finish()
    }
}

/// Output frames gathered per stream and in order.
private final class RunCollector: @unchecked Sendable {
    // Only touched from the one task that reads the response.
    private var output = Data()
    private var error = Data()
    private var combined = Data()

    func append(_ stream: EngineStream, _ payload: Data) {
        if stream == .standardError { error.append(payload) } else { output.append(payload) }
        combined.append(payload)
    }

    func run(exitCode: Int32) -> EngineRun {
        EngineRun(exitCode: exitCode, standardOutput: output, standardError: error, combined: combined)
    }
}
