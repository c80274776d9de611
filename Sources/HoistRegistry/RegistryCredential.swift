/// What a user proves their identity to a registry with: a user name and password, or an
/// identity (refresh) token a token service issued at login.
///
/// Its `description` hides the secrets, so a credential printed by mistake leaks nothing.
public struct RegistryCredential: Sendable, Hashable, CustomStringConvertible {
    /// The user name; empty for a bare identity token.
    public var username: String
    /// The password or access token.
    public var password: String
    /// An OAuth2 refresh token kept instead of the password (`identitytoken` in Docker's file).
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    public var description: String { "credential for \(username.isEmpty ? "<token>" : username)" }
}
