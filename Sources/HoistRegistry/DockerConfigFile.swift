#if canImport(Glibc)
    import Glibc
#endif
public import Foundation

/// Docker's client configuration file, `config.json` in `$DOCKER_CONFIG` (default `~/.docker`):
/// the `auths` map (base64 `user:password` under `auth`, or an `identitytoken`), the default
/// credential helper `credsStore`, and per-registry helpers `credHelpers`.
///
/// Writing keeps every other key of the file as it was, so Docker's own settings survive.
public struct DockerConfigFile: Sendable {
    /// The file's location.
    public let url: URL

    /// The file in `directory`, or in `$DOCKER_CONFIG`, or in `~/.docker`.
    public init(directory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base: URL
        if let directory {
            base = directory
        } else if let configured = environment["DOCKER_CONFIG"], !configured.isEmpty {
            base = URL(fileURLWithPath: configured, isDirectory: true)
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".docker", isDirectory: true)
        }
        url = base.appendingPathComponent("config.json")
    }

    /// The file at `file` itself, whatever its name (`s2i --dockercfg-path`): Docker's
    /// `config.json` layout, or the legacy `.dockercfg` one, whose top level is the `auths` map.
    public init(file: URL) {
        url = file
    }

    /// The helper named for `key` (`credHelpers`), else the default one (`credsStore`).
    func helper(for key: String) throws -> String? {
        let object = try read()
        if let helpers = object["credHelpers"] as? [String: String], let name = helpers[key] { return name }
        if let store = object["credsStore"] as? String, !store.isEmpty { return store }
        return nil
    }

    /// The credential stored in `auths` for the registry `key`, matching keys written as URLs.
    func storedCredential(for key: String) throws -> RegistryCredential? {
        let object = try read()
        // The legacy `.dockercfg` has no `auths`: its top level maps registries to entries.
        let auths = object["auths"] as? [String: Any] ?? (object.values.allSatisfy { $0 is [String: Any] } ? object : [:])
        let host = RegistryKey.hostname(of: key)
        let entry = auths[key] ?? auths.first { RegistryKey.hostname(of: $0.key) == host }?.value
        guard let entry = entry as? [String: Any] else { return nil }
        var username = entry["username"] as? String ?? ""
        var password = entry["password"] as? String ?? ""
        if let auth = entry["auth"] as? String, !auth.isEmpty {
            guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else {
                throw RegistryError(.invalidArgument, "\(url.path): the `auth` entry for \(key) is not base64 of user:password")
            }
            username = String(decoded[..<colon])
            password = String(decoded[decoded.index(after: colon)...])
        }
        let identityToken = (entry["identitytoken"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        guard !username.isEmpty || identityToken != nil else { return nil }
        return RegistryCredential(username: username, password: password, identityToken: identityToken)
    }

    /// Saves `credential` under `key` in `auths` (an identity token replaces the password).
    func store(_ credential: RegistryCredential, for key: String) throws {
        var object = try read()
        var auths = object["auths"] as? [String: Any] ?? [:]
        var entry: [String: Any] = [:]
        if let token = credential.identityToken {
            entry["auth"] = Data("\(credential.username):".utf8).base64EncodedString()
            entry["identitytoken"] = token
        } else {
            entry["auth"] = Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
        }
        auths[key] = entry
        object["auths"] = auths
        try write(object)
    }

    /// Removes `key` (and entries naming the same host as a URL) from `auths`; returns whether
    /// there was one.
    func remove(_ key: String) throws -> Bool {
        var object = try read()
        guard var auths = object["auths"] as? [String: Any] else { return false }
        let host = RegistryKey.hostname(of: key)
        let doomed = auths.keys.filter { $0 == key || RegistryKey.hostname(of: $0) == host }
        guard !doomed.isEmpty else { return false }
        for name in doomed { auths[name] = nil }
        object["auths"] = auths
        try write(object)
        return true
    }

    private func read() throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        do {
            let data = try Data(contentsOf: url)
            if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw RegistryError(.invalidArgument, "\(url.path) is not a JSON object")
            }
            return object
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.invalidArgument, "cannot read \(url.path)", underlying: error)
        }
    }

    /// Writes through a private temporary file and a rename, so a reader never sees half a file
    /// and other users never see the secrets.
    private func write(_ object: [String: Any]) throws {
        do {
            let directory = url.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            let temporary = directory.appendingPathComponent(".config.json.\(UUID().uuidString)")
            guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
            else {
                throw CocoaError(.fileWriteUnknown)
            }
            if rename(temporary.path, url.path) != 0 {
                let failure = POSIXError(.init(rawValue: errno) ?? .EIO)
                try? FileManager.default.removeItem(at: temporary)
                throw failure
            }
        } catch {
            throw RegistryError(.failedPrecondition, "cannot write \(url.path)", underlying: error)
        }
    }
}
