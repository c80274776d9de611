import HoistBuild
import Foundation

/// A git source as a Dockerfile writes it, parsed as BuildKit's `ParseGitRef` does:
/// `URL[#ref[:subdir]]` and the query form `URL?ref=…&tag=…&branch=…&commit=…&subdir=…&keep-git-dir&submodules=false`.
struct GitReference: Equatable {
    /// The repository, without fragment or query.
    var remote: String
    /// A branch or tag name, a full `refs/…` name or a commit; nil for the default branch.
    var ref: String?
    var subdirectory: String?
    /// `commit=` (or `checksum=`): the commit the ref must lead to, or a prefix of it.
    var checksum: String?
    var keepGitDirectory: Bool?
    var submodules: Bool?

    /// Parses `text`.
    /// - Throws: ``BuildError`` (`invalidArgument`) with BuildKit's words for conflicting or
    ///   unknown query parameters.
    init(parsing text: String) throws {
        var address = text
        var fragment: String?
        if let hash = address.firstIndex(of: "#") {
            fragment = String(address[address.index(after: hash)...])
            address = String(address[..<hash])
        }
        var query: String?
        if let question = address.firstIndex(of: "?") {
            query = String(address[address.index(after: question)...])
            address = String(address[..<question])
        }
        remote = address
        if let fragment {
            let parts = fragment.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            ref = parts[0].isEmpty ? nil : parts[0]
            if parts.count == 2, !parts[1].isEmpty { subdirectory = parts[1] }
        }
        guard let query, !query.isEmpty else { return }
        var tag: String?
        var branch: String?
        var seen: Set<String> = []
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(pair[0]).removingPercentEncoding ?? String(pair[0])
            let value = pair.count > 1 ? String(pair[1]).removingPercentEncoding ?? String(pair[1]) : nil
            guard seen.insert(key).inserted else { throw Self.error("query \"\(key)\" has multiple values") }
            if value?.isEmpty ?? true, !["submodules", "keep-git-dir", "fetch-by-commit"].contains(key) {
                throw Self.error("query \"\(key)\" has no value")
            }
            switch key {
            case "ref":
                if let ref, ref != value { throw Self.error("ref conflicts: \"\(ref)\" vs \"\(value ?? "")\"") }
                ref = value
            case "tag": tag = value
            case "branch": branch = value
            case "subdir":
                if let subdirectory, subdirectory != value {
                    throw Self.error("subdir conflicts: \"\(subdirectory)\" vs \"\(value ?? "")\"")
                }
                subdirectory = value
            case "checksum", "commit": checksum = value
            case "keep-git-dir": keepGitDirectory = try Self.flag(key, value)
            case "submodules": submodules = try Self.flag(key, value)
            case "fetch-by-commit": _ = try Self.flag(key, value)
            default: throw Self.error("unexpected query \"\(key)\"")
            }
        }
        if let tag {
            let full = tag.hasPrefix("refs/tags/") ? tag : "refs/tags/" + tag
            if let ref, ref != full { throw Self.error("ref conflicts: \"\(ref)\" vs \"\(full)\"") }
            ref = full
        }
        if let branch {
            guard tag == nil else { throw Self.error("branch conflicts with tag") }
            let full = branch.hasPrefix("refs/heads/") ? branch : "refs/heads/" + branch
            if let ref, ref != full { throw Self.error("ref conflicts: \"\(ref)\" vs \"\(full)\"") }
            ref = full
        }
    }

    /// A boolean query value: absent means true.
    private static func flag(_ key: String, _ value: String?) throws -> Bool {
        guard let value, !value.isEmpty else { return true }
        switch value.lowercased() {
        case "1", "t", "true": return true
        case "0", "f", "false": return false
        default: throw error("invalid \(key) value: \"\(value)\"")
        }
    }

    private static func error(_ message: String) -> BuildError {
        BuildError(.invalidArgument, message)
    }
}
