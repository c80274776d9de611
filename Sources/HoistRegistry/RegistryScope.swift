/// Token scopes as the distribution token spec writes them.
enum RegistryScope {
    static func pull(_ path: String) -> String { "repository:\(path):pull" }
    static func push(_ path: String) -> String { "repository:\(path):pull,push" }
}
