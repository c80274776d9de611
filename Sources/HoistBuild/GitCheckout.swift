import Foundation
import HoistRuntime

/// Fetches an `ADD <git URL>` source as BuildKit's git source does: the repository at `ref`
/// (a branch or tag name, a full `refs/…` name, or a full commit hash; the default branch when
/// nil) checked out, detached, into a directory of its own, with its submodules unless told
/// not to, and without `.git` unless `keepGitDirectory`. With `checksum`, the commit checked
/// out must start with it.
struct GitCheckout {
    let url: String
    let ref: String?
    let keepGitDirectory: Bool
    var checksum: String?
    var submodules = true

    func fetch(into directory: String) async throws {
        if let checksum, checksum.isEmpty || !checksum.allSatisfy(\.isHexDigit) {
            throw BuildError(.invalidArgument, "invalid checksum \(checksum) of \(url): expected hex commit hash")
        }
        let refs = try await remoteRefs()
        let (commit, name) = try resolve(refs)
        do {
            var cloned = false
            if let name {
                // A shallow clone of the one ref is cheapest; servers that cannot (git's dumb
                // HTTP) get the full clone below.
                cloned = (try? await git(["clone", "--quiet", "--depth", "1", "--branch", name, "--", url, directory])) != nil
                if !cloned { try? FileManager.default.removeItem(atPath: directory) }
            }
            if !cloned {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try await git(["clone", "--quiet", "--no-checkout", "--", url, directory])
            }
            try await git(["-C", directory, "checkout", "--quiet", "--detach", commit])
            if submodules {
                try await git(["-C", directory, "submodule", "update", "--quiet", "--init", "--recursive"])
            }
        } catch let error as RuntimeError {
            throw BuildError(.unavailable, "cannot fetch git repository \(url)\(ref.map { " at \($0)" } ?? "")", underlying: error)
        }
        if let checksum, !commit.hasPrefix(checksum.lowercased()) {
            throw BuildError(.dataLoss, "expected checksum to match \(checksum), got \(commit) for \(url)\(ref.map { "#\($0)" } ?? "")")
        }
        if !keepGitDirectory {
            try FileManager.default.removeItem(atPath: directory + "/.git")
        }
    }

    /// The commit `ref` names among `refs` (name → commit), and the branch or tag name a
    /// shallow clone can ask for (nil for a commit).
    func resolve(_ refs: [String: String]) throws -> (commit: String, name: String?) {
        guard let ref else {
            guard let head = refs["HEAD"] else { throw BuildError(.notFound, "repository \(url) has no HEAD") }
            return (head, nil)
        }
        // Only a full hash is a commit: a short one is not looked up, as in BuildKit.
        if (ref.count == 40 || ref.count == 64), ref.allSatisfy(\.isHexDigit) { return (ref.lowercased(), nil) }
        for candidate in ref.hasPrefix("refs/") ? [ref] : ["refs/tags/\(ref)", "refs/heads/\(ref)", ref] {
            // An annotated tag's `^{}` line is the commit it points at.
            if let commit = refs[candidate + "^{}"] ?? refs[candidate] {
                let name = candidate.hasPrefix("refs/heads/") || candidate.hasPrefix("refs/tags/")
                    ? String(candidate.split(separator: "/", maxSplits: 2)[2]) : nil
                return (commit, name)
            }
        }
        throw BuildError(.notFound, "repository does not contain ref \(ref): \(url)")
    }

    /// `git ls-remote`: every ref of the repository and its commit.
    private func remoteRefs() async throws -> [String: String] {
        let output: String
        do {
            output = try await git(["ls-remote", "--", url])
        } catch let error as RuntimeError {
            throw BuildError(.unavailable, "cannot fetch git repository \(url)", underlying: error)
        }
        var refs: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            if fields.count == 2 { refs[String(fields[1])] = String(fields[0]) }
        }
        return refs
    }

    @discardableResult
    private func git(_ arguments: [String]) async throws -> String {
        var process = ExternalProcess("git", arguments)
        // Never prompt for credentials: a build has no one to answer. Only the network
        // transports a Dockerfile may name: no `file://` or `ext::`, not even from a submodule.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "http:https:git:ssh"]) { $1 }
        return try await process.checked().outputText
    }
}
