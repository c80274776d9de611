import AsyncHTTPClient
import Foundation
import HoistOCI
import NIOCore
import NIOHTTP1

/// A token a token service issued, and until when it may be used.
struct IssuedToken: Sendable {
    let value: String
    let expires: Date
    let refreshToken: String?
}

/// The client side of Docker's token authentication: a GET to the challenge's realm with
/// `service` and `scope` (Basic-authenticated when there is a password), or, with a refresh
/// token, the OAuth2 POST form.
enum TokenService {
    static func fetch(
        challenge: AuthChallenge, scopes: [String], credential: RegistryCredential?, registryHost: String,
        httpClient: HTTPClient, configuration: RegistryConfiguration, wantsRefreshToken: Bool
    ) async throws -> IssuedToken {
        guard let realm = challenge.realm, let realmURL = URLComponents(string: realm), let realmHost = realmURL.host else {
            throw RegistryError(.failedPrecondition, "\(registryHost) asked for a token without naming a valid token service")
        }
        let realmPath = realmURL.path
        var request: HTTPClientRequest
        if let refreshToken = credential?.identityToken {
            request = HTTPClientRequest(url: realm)
            request.method = .POST
            var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", "hoist")]
            if let service = challenge.service { form.append(("service", service)) }
            form += scopes.map { ("scope", $0) }
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: formEncoded(form)))
        } else {
            var components = realmURL
            var items = components.queryItems ?? []
            if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
            items += scopes.map { URLQueryItem(name: "scope", value: $0) }
            if let credential, !credential.username.isEmpty {
                items.append(URLQueryItem(name: "account", value: credential.username))
                if wantsRefreshToken {
                    items += [URLQueryItem(name: "offline_token", value: "true"), URLQueryItem(name: "client_id", value: "hoist")]
                }
            }
            components.queryItems = items.isEmpty ? nil : items
            guard let url = components.string else {
                throw RegistryError(.failedPrecondition, "\(registryHost): cannot build a token request for \(realmHost)\(realmPath)")
            }
            request = HTTPClientRequest(url: url)
            if let credential, !credential.username.isEmpty {
                let basic = Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
                request.headers.add(name: "Authorization", value: "Basic " + basic)
            }
        }
        if realmURL.scheme == "https" {
            let port = realmURL.port.map { ":\($0)" } ?? ""
            request.tlsConfiguration = try RegistryTLS.configuration(
                host: realmHost + port, insecure: configuration.isInsecure(realmHost + port),
                certificatesDirectory: configuration.certificatesDirectory)
        }
        let what = "token service \(realmHost)\(realmPath) for \(registryHost)"
        let body: ByteBuffer
        let status: HTTPResponseStatus
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(60))
            status = response.status
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw RegistryTransport.transportFailure(error, what: what)
        }
        guard status == .ok else {
            let detail = RegistryErrorBody.summary(of: body)
            let code: ErrorCode = status == .unauthorized || status == .forbidden ? .failedPrecondition : .unavailable
            throw RegistryError(
                code, "\(what) refused a token (\(status.code))\(detail.map { ": " + $0 } ?? "")", status: Int(status.code),
                isTransient: status.code == 429 || status.code >= 500)
        }
        struct Answer: Decodable {
            let token: String?
            let access_token: String?
            let expires_in: Int?
            let refresh_token: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: body)),
            let value = answer.token ?? answer.access_token, !value.isEmpty
        else {
            throw RegistryError(.failedPrecondition, "\(what) answered without a token")
        }
        // Docker assumes 60 seconds when the service does not say; renew a little early.
        let lifetime = max(10, answer.expires_in ?? 60) - 5
        return IssuedToken(value: value, expires: Date().addingTimeInterval(TimeInterval(lifetime)), refreshToken: answer.refresh_token)
    }

    private static func formEncoded(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}
