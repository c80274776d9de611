import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Answers a registry's authentication challenges as Docker does, and remembers the answers
/// for one session: Basic with the user's password, or Bearer with a token from the token
/// service the challenge names (anonymous, with the password, or with a refresh token), one
/// token per set of scopes, renewed when it expires.
///
/// Nothing here ever puts a password or token into an error or a log.
actor Authorizer {
    private let host: String
    private let httpClient: HTTPClient
    private let configuration: RegistryConfiguration
    /// A credential given for this session (a login), used instead of the stored ones.
    private let explicitCredential: RegistryCredential?
    /// Ask the token service for a refresh token (`offline_token`), as `docker login` does.
    private let wantsRefreshToken: Bool

    private var challenge: AuthChallenge?
    private var credential: RegistryCredential??
    private var tokens: [String: Task<IssuedToken, any Error>] = [:]
    /// A refresh token the token service handed out during this session.
    private(set) var refreshToken: String?

    init(host: String, httpClient: HTTPClient, configuration: RegistryConfiguration,
         explicitCredential: RegistryCredential? = nil, wantsRefreshToken: Bool = false) {
        self.host = host
        self.httpClient = httpClient
        self.configuration = configuration
        self.explicitCredential = explicitCredential
        self.wantsRefreshToken = wantsRefreshToken
    }

    /// The `Authorization` header for a request needing `scopes`, or nil to send none (no
    /// challenge seen yet, or no credential for Basic).
    func authorization(scopes: [String]) async throws -> String? {
        guard let challenge else { return nil }
        switch challenge.scheme {
        case .basic:
            guard let credential = try currentCredential() else { return nil }
            return "Basic " + Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
        case .bearer:
            let wanted = Set(scopes).sorted()
            let key = wanted.joined(separator: " ")
            if let pending = tokens[key] {
                // A failed or expired token is dropped and asked for again.
                if let token = try? await pending.value, token.expires > Date() { return "Bearer " + token.value }
                tokens[key] = nil
            }
            let credential = try currentCredential()
            let task = Task { [httpClient, host, configuration, wantsRefreshToken] in
                try await TokenService.fetch(
                    challenge: challenge, scopes: wanted, credential: credential, registryHost: host,
                    httpClient: httpClient, configuration: configuration, wantsRefreshToken: wantsRefreshToken)
            }
            tokens[key] = task
            do {
                let token = try await task.value
                if let refresh = token.refreshToken { refreshToken = refresh }
                return "Bearer " + token.value
            } catch {
                tokens[key] = nil
                throw error
            }
        }
    }

    /// Takes in a 401's `WWW-Authenticate` header. Returns whether a retry may now succeed:
    /// the first challenge, or a new one, or a token to renew, or a request that went out
    /// without authorization before a concurrent one learnt the challenge.
    func challenged(by header: String?, requestWasAuthorized: Bool) -> Bool {
        guard let header, let offered = AuthChallenge.parse(header).max(by: { rank($0) < rank($1) }) else {
            return false
        }
        let known = challenge.map { $0.scheme == offered.scheme && $0.realm == offered.realm && $0.service == offered.service } ?? false
        challenge = offered
        if known && !requestWasAuthorized { return true }
        if known {
            // The token did not do: drop what was issued so the retry asks again.
            tokens = [:]
            return offered.scheme == .bearer
        }
        return true
    }

    /// Whether the registry asked for authentication and there is nothing to give it.
    func lacksCredential() throws -> Bool {
        guard challenge != nil else { return false }
        return try currentCredential() == nil
    }

    private func rank(_ challenge: AuthChallenge) -> Int { challenge.scheme == .bearer ? 1 : 0 }

    private func currentCredential() throws -> RegistryCredential? {
        if let explicitCredential { return explicitCredential }
        if let credential { return credential }
        let found = try configuration.credentials.credential(forHost: host)
        credential = .some(found)
        return found
    }
}
