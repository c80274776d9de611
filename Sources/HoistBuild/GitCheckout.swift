import Foundation
import HoistRuntime

/// Fetches an `ADD <git URL>` source as BuildKit's git source does: the repository at `ref`
/// (a branch, tag or commit; the default branch when nil) checked out into a directory of its
/// own, without `.git` unless `keepGitDirectory`.
struct GitCheckout {
    let url: String
    let ref: String?
    let keepGitDirectory: Bool

    func fetch(into directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let isCommit = ref.map { $0.count >= 7 && $0.count <= 40 && $0.allSatisfy(\.isHexDigit) } ?? false
        do {
            var cloned = false
            if let ref, !isCommit {
                // A shallow clone of the one ref is cheapest; servers that cannot (git's dumb
                // HTTP) get the full clone below.
                cloned = (try? await git(["clone", "--quiet", "--depth", "1", "--branch", ref, "--", url, directory])) != nil
                if !cloned { try? FileManager.default.removeItem(atPath: directory) }
            }
            if !cloned {
                try await git(["clone", "--quiet", "--", url, directory])
                if let ref { try await git(["-C", directory, "checkout", "--quiet", "--detach", ref]) }
            }
        } catch let error as RuntimeError {
            throw BuildError(.unavailable, "cannot fetch git repository \(url)\(ref.map { " at \($0)" } ?? "")", underlying: error)
        }
        if !keepGitDirectory {
            try FileManager.default.removeItem(atPath: directory + "/.git")
        }
    }

    private func git(_ arguments: [String]) async throws {
        var process = ExternalProcess("git", arguments)
        // Never prompt for credentials: a build has no one to answer. Only the network
        // transports a Dockerfile may name: no `file://` or `ext::`, not even from a submodule.
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "http:https:git:ssh"]) { $1 }
        _ = try await process.checked()
    }
}
