import AsyncHTTPClient
import Foundation
import HoistOCI
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends requests to one registry host: finds whether it speaks HTTPS or (when allowed) plain
/// HTTP, applies its TLS settings, answers authentication challenges through an
/// ``Authorizer``, and turns failures into ``RegistryError``s that say which are transient.
final class RegistryTransport: Sendable {
    /// The host as references name it, with its port (`127.0.0.1:5000`, `registry-1.docker.io`).
    let host: String
    let httpClient: HTTPClient
    let configuration: RegistryConfiguration
    let authorizer: Authorizer
    private let scheme: SchemeCache

    init(host: String, httpClient: HTTPClient, configuration: RegistryConfiguration,
         credential: RegistryCredential? = nil, wantsRefreshToken: Bool = false) {
        self.host = host
        self.httpClient = httpClient
        self.configuration = configuration
        authorizer = Authorizer(
            host: host, httpClient: httpClient, configuration: configuration, explicitCredential: credential,
            wantsRefreshToken: wantsRefreshToken)
        scheme = SchemeCache()
    }

    /// Sends `request`, once more after a 401 whose challenge gives something new to try.
    /// The response's body is the caller's to consume.
    func send(_ request: RegistryRequest) async throws -> HTTPClientResponse {
        let (base, tls) = try await endpoint()
        var answeredChallenge = false
        while true {
            var http = HTTPClientRequest(url: request.target.hasPrefix("/") ? base + request.target : request.target)
            http.method = request.method
            http.headers = request.headers
            if http.url.hasPrefix("https://") { http.tlsConfiguration = tls }
            let authorization = try await authorizer.authorization(scopes: request.scopes)
            if let authorization {
                http.headers.replaceOrAdd(name: "Authorization", value: authorization)
            }
            if let body = request.body { http.body = try body() }
            let response = try await execute(http, describing: request)
            if response.status == .unauthorized, !answeredChallenge {
                answeredChallenge = true
                // The body may be read once: drain it only when the response is dropped.
                if await authorizer.challenged(
                    by: response.headers.first(name: "WWW-Authenticate"), requestWasAuthorized: authorization != nil) {
                    _ = try? await response.body.collect(upTo: 1 << 16)
                    continue
                }
                return response
            }
            return response
        }
    }

    /// Sends `request` and checks that the answer has one of `expected` statuses; any other is
    /// thrown as a ``RegistryError`` carrying the registry's own message.
    func send(_ request: RegistryRequest, expecting expected: Set<UInt>) async throws -> HTTPClientResponse {
        let response = try await send(request)
        guard expected.contains(response.status.code) else {
            throw await failure(response, for: request)
        }
        return response
    }

    /// The whole of `body`, refused (`NIOTooManyBytesError`) past `limit` bytes and given up
    /// (``RegistryError``) when it arrives slower than ``RegistryConfiguration/minimumTransferRate``.
    func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, what: String) async throws -> ByteBuffer {
        var watch = TransferWatch(configuration.minimumTransferRate)
        var collected = ByteBuffer()
        for try await var chunk in body {
            try watch.record(chunk.readableBytes, what: "\(host): \(what)")
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    /// The error for an unexpected answer: notFound for 404, failedPrecondition when access is
    /// denied, transient unavailable for 429 and 5xx.
    func failure(_ response: HTTPClientResponse, for request: RegistryRequest) async -> RegistryError {
        let body = try? await collect(response.body, upTo: 1 << 16, what: "\(request.method.rawValue) \(request.displayPath)")
        let detail = RegistryErrorBody.summary(of: body).map { ": " + $0 } ?? ""
        let status = response.status.code
        let code: ErrorCode
        var message = "\(host): \(request.method.rawValue) \(request.displayPath) answered \(status) \(response.status.reasonPhrase)\(detail)"
        switch status {
        case 401, 403:
            code = .failedPrecondition
            if status == 401, (try? await authorizer.lacksCredential()) == true {
                message += " (no credentials for \(host): run `hoist login \(RegistryKey.hostname(of: RegistryKey.forHost(host)))`)"
            }
        case 404: code = .notFound
        case 429, 500...599: code = .unavailable
        default: code = .failedPrecondition
        }
        var error = RegistryError(code, message, status: Int(status), isTransient: status == 429 || status >= 500)
        if let seconds = response.headers.first(name: "Retry-After").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            error.retryAfter = .seconds(max(0, seconds))
        }
        return error
    }

    private func execute(_ request: HTTPClientRequest, describing original: RegistryRequest) async throws -> HTTPClientResponse {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            // The idle (read) timeout bounds a stalled transfer; the deadline only a runaway one.
            let response = try await httpClient.execute(request, timeout: .hours(6))
            RegistryLog.registry.debug(
                "\(original.method.rawValue) \(host)\(original.displayPath) → \(response.status.code) in \(clock.now - start)")
            return response
        } catch {
            RegistryLog.registry.debug("\(original.method.rawValue) \(host)\(original.displayPath) failed after \(clock.now - start): \(error)")
            throw Self.transportFailure(error, what: "\(host) (\(original.method.rawValue) \(original.displayPath))")
        }
    }

    /// A failure to talk to a server at all, classified: TLS handshake failures are permanent,
    /// cancellation is cancellation, and the rest (refused, reset, timed out) are transient.
    static func transportFailure(_ error: any Error, what: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if error is CancellationError {
            return RegistryError(.cancelled, "talking to \(what) was cancelled")
        }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            return RegistryError(.unavailable, "TLS handshake with \(what) failed", underlying: error)
        }
        if error is BoringSSLError {
            return RegistryError(.unavailable, "TLS with \(what) failed", underlying: error)
        }
        // A name that does not resolve will not resolve on a retry either: fail at once, as
        // Docker does, rather than wait out the backoff. NIO reports it only in the error text.
        if String(describing: error).contains("UnknownHost") {
            return RegistryError(.unavailable, "cannot reach \(what): the host name does not resolve", underlying: error)
        }
        return RegistryError(.unavailable, "cannot reach \(what)", isTransient: true, underlying: error)
    }

    /// The base URL and TLS settings, found once: HTTPS, unless the registry is insecure and
    /// does not speak TLS (Docker's fallback for `--insecure-registry` and localhost).
    private func endpoint() async throws -> (String, TLSConfiguration) {
        if let known = await scheme.value { return known }
        let insecure = configuration.isInsecure(host)
        let tls = try RegistryTLS.configuration(host: host, insecure: insecure, certificatesDirectory: configuration.certificatesDirectory)
        guard insecure else {
            return await scheme.set(("https://\(host)", tls))
        }
        var probe = HTTPClientRequest(url: "https://\(host)/v2/")
        probe.tlsConfiguration = tls
        do {
            let response = try await httpClient.execute(probe, timeout: .seconds(30))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return await scheme.set(("https://\(host)", tls))
        } catch is NIOSSLError {
            return await scheme.set(("http://\(host)", tls))
        } catch is BoringSSLError {
            return await scheme.set(("http://\(host)", tls))
        } catch {
            throw Self.transportFailure(error, what: "\(host) (GET /v2/)")
        }
    }
}

/// The base URL a host turned out to answer on, and its TLS settings.
private actor SchemeCache {
    var value: (String, TLSConfiguration)?
    func set(_ endpoint: (String, TLSConfiguration)) -> (String, TLSConfiguration) {
        value = endpoint
        return endpoint
    }
}
