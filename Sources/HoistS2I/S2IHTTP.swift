import AsyncHTTPClient
public import Foundation
import NIOCore
import Synchronization

/// The HTTP S2I does itself: fetching scripts from an `http(s)` scripts URL, and POSTing the
/// callback. AsyncHTTPClient, as for `ADD <url>`: Foundation's URLSession does not link into a
/// static `hoist`.
final class S2IHTTP: Sendable {
    /// Gives up on a server within seconds: a scripts URL is one place among several to look,
    /// and a server that is not there must not hold the build.
    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3), read: .seconds(30))))

    /// Servers that could not be reached: not asked again for the other scripts of a build.
    private let unreachable = Mutex<Set<String>>([])

    /// The body at `url`, or nil when the server has none there (404) or cannot be reached.
    ///
    /// - Throws: ``S2IError`` `unavailable` for another error status.
    func download(_ url: URL) async throws -> Data? {
        let server = "\(url.host ?? ""):\(url.port ?? 0)"
        guard !unreachable.withLock({ $0.contains(server) }) else { return nil }
        let response: HTTPClientResponse
        do {
            response = try await Self.client.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(30))
        } catch {
            unreachable.withLock { _ = $0.insert(server) }
            return nil
        }
        if response.status.code == 404 { return nil }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw S2IError(.unavailable, "\(url) answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 16 << 20)
        return Data(body.readableBytesView)
    }

    /// POSTs `body` as `application/json` to `url` and returns the status.
    func post(json body: Data, to url: URL) async throws -> Int {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        _ = try? await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}
