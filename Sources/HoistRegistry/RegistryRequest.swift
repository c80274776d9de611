import AsyncHTTPClient
import NIOHTTP1

/// One HTTP request to a registry, described so it can be sent again: after an authentication
/// challenge, or by a retry (`body` makes a fresh body each time).
struct RegistryRequest: Sendable {
    var method: HTTPMethod
    /// `/v2/…` with any query, or an absolute URL a `Location` header gave.
    var target: String
    var headers: HTTPHeaders = [:]
    var body: (@Sendable () throws -> HTTPClientRequest.Body)?
    /// The token scopes it needs (`repository:a/b:pull`).
    var scopes: [String]

    init(_ method: HTTPMethod, _ target: String, scopes: [String], headers: HTTPHeaders = [:],
         body: (@Sendable () throws -> HTTPClientRequest.Body)? = nil) {
        self.method = method
        self.target = target
        self.scopes = scopes
        self.headers = headers
        self.body = body
    }

    /// The path alone, for messages: queries of upload URLs carry session state nobody needs.
    var displayPath: String {
        var text = Substring(target)
        if let scheme = text.range(of: "://") {
            text = text[scheme.upperBound...].drop { $0 != "/" }
        }
        return String(text.prefix { $0 != "?" })
    }
}
