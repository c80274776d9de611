import Foundation

/// What an `ADD` source names, decided as BuildKit's Dockerfile frontend decides it: a git
/// repository only for the transports git is fetched over (`git://`, `ssh://`, `user@host:path`,
/// and `http(s)://` URLs whose path ends in `.git`), a download for other `http(s)://` URLs, and
/// a path in the build context for everything else — `file:///…/repo.git` included, so a
/// Dockerfile cannot make the builder clone a repository of the host's.
enum AddSource: Equatable {
    case git(String)
    case http(String)
    case local(String)

    init(_ text: String) {
        if Self.isGitReference(text) {
            self = .git(text)
        } else if text.hasPrefix("http://") || text.hasPrefix("https://") {
            self = .http(text)
        } else {
            self = .local(text)
        }
    }

    /// A context path, not something fetched.
    var isLocal: Bool {
        if case .local = self { return true }
        return false
    }

    /// Whether `text` is a git reference BuildKit would fetch (its `ParseGitRef`): `./`, `../`
    /// and the ambiguous `github.com/…` are paths.
    static func isGitReference(_ text: String) -> Bool {
        if text.hasPrefix("./") || text.hasPrefix("../") || text.hasPrefix("github.com/") { return false }
        if let scheme = text.range(of: "^[a-zA-Z0-9]+://", options: .regularExpression) {
            switch text[scheme].dropLast(3).lowercased() {
            case "git", "ssh":
                return true
            case "http", "https":
                let path = URLComponents(string: text)?.path ?? ""
                return path.hasSuffix(".git")
            default:
                return false
            }
        }
        return text.range(of: #"^[a-zA-Z0-9_-]+@[a-zA-Z0-9.-]+:"#, options: .regularExpression) != nil
    }
}
