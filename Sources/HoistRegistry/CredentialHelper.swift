import Foundation

/// A Docker credential helper, the program `docker-credential-NAME` on `PATH`, spoken to with
/// its protocol: `get` (server URL in, `{"Username","Secret"}` out), `store`, `erase`.
///
/// A user name of `<token>` marks the secret as an identity token, as Docker does.
struct CredentialHelper: Sendable {
    let name: String
    /// The directories searched for the program.
    let searchPath: [String]

    static let tokenUsername = "<token>"

    var program: String { "docker-credential-\(name)" }

    /// The credential the helper holds for `serverURL`, or nil when it has none.
    func get(_ serverURL: String) throws -> RegistryCredential? {
        let result = try run("get", input: Data(serverURL.utf8))
        guard result.status == 0 else {
            // Helpers report a missing entry on stdout with a non-zero exit.
            if result.output.localizedCaseInsensitiveContains("credentials not found") { return nil }
            throw RegistryError(
                .unavailable, "credential helper \(program) failed to get the credential for \(serverURL): \(result.summary)")
        }
        struct Answer: Decodable {
            let Username: String
            let Secret: String
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(result.output.utf8)) else {
            throw RegistryError(.unavailable, "credential helper \(program) answered something that is not a credential")
        }
        if answer.Username == Self.tokenUsername {
            return RegistryCredential(username: "", password: "", identityToken: answer.Secret)
        }
        return RegistryCredential(username: answer.Username, password: answer.Secret)
    }

    /// Hands `credential` for `serverURL` to the helper to keep.
    func store(_ credential: RegistryCredential, for serverURL: String) throws {
        let payload: [String: String] = [
            "ServerURL": serverURL,
            "Username": credential.identityToken == nil ? credential.username : Self.tokenUsername,
            "Secret": credential.identityToken ?? credential.password,
        ]
        let result = try run("store", input: try JSONEncoder().encode(payload))
        guard result.status == 0 else {
            throw RegistryError(.unavailable, "credential helper \(program) failed to store the credential for \(serverURL): \(result.summary)")
        }
    }

    /// Asks the helper to forget `serverURL`.
    func erase(_ serverURL: String) throws {
        let result = try run("erase", input: Data(serverURL.utf8))
        guard result.status == 0 else {
            throw RegistryError(.unavailable, "credential helper \(program) failed to erase the credential for \(serverURL): \(result.summary)")
        }
    }

    private struct Result {
        let status: Int32
        let output: String
        let error: String
        /// What the helper said, for an error message; helpers print no secrets on failure.
        var summary: String {
            let text = (error.isEmpty ? output : error).trimmingCharacters(in: .whitespacesAndNewlines)
            return "exit \(status)\(text.isEmpty ? "" : ": " + String(text.prefix(300)))"
        }
    }

    private func run(_ action: String, input: Data) throws -> Result {
        guard let executable = searchPath.lazy.map({ $0 + "/" + program }).first(where: FileManager.default.isExecutableFile)
        else {
            throw RegistryError(.notFound, "credential helper \(program) is not on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [action]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw RegistryError(.unavailable, "cannot start credential helper \(executable)", underlying: error)
        }
        // Answers are small; a helper that printed more than a pipe holds before reading its
        // input would be broken anyway.
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }
}
