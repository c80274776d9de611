import Foundation
import HoistTestSupport
import Testing

@testable import HoistRegistry

@Suite struct CredentialStoreTests {
    private func write(_ json: String, in directory: TemporaryDirectory) throws -> DockerConfigFile {
        try Data(json.utf8).write(to: directory.appending("config.json"))
        return DockerConfigFile(directory: directory.url)
    }

    @Test func readsBase64AuthAndMatchesKeysWrittenAsURLs() throws {
        let directory = try TemporaryDirectory()
        let auth = Data("alice:s3cret:with:colons".utf8).base64EncodedString()
        let file = try write(#"{"auths":{"https://registry.example:5000/v2/":{"auth":"\#(auth)"}}}"#, in: directory)
        let credential = try CredentialStore(configFile: file).credential(forHost: "registry.example:5000")
        #expect(credential == RegistryCredential(username: "alice", password: "s3cret:with:colons"))
        #expect(try CredentialStore(configFile: file).credential(forHost: "other:5000") == nil)
    }

    @Test func dockerHubUsesTheIndexKeyAndIdentityTokens() throws {
        let directory = try TemporaryDirectory()
        let file = try write(
            #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(Data("bob:".utf8).base64EncodedString())","identitytoken":"refresh-1"}}}"#,
            in: directory)
        let credential = try CredentialStore(configFile: file).credential(forHost: "registry-1.docker.io")
        #expect(credential?.identityToken == "refresh-1")
        #expect(credential?.username == "bob")
    }

    @Test func dockerConfigEnvironmentChoosesTheDirectory() {
        let file = DockerConfigFile(environment: ["DOCKER_CONFIG": "/tmp/somewhere"])
        #expect(file.url.path == "/tmp/somewhere/config.json")
    }

    @Test func storingKeepsOtherSettingsAndHidesTheFile() throws {
        let directory = try TemporaryDirectory()
        let file = try write(#"{"psFormat":"table {{.ID}}","auths":{"old:1":{"auth":"\#(Data("o:p".utf8).base64EncodedString())"}}}"#, in: directory)
        let store = CredentialStore(configFile: file)
        try store.store(RegistryCredential(username: "carol", password: "pw"), forHost: "new:2")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file.url)) as? [String: Any]
        #expect(object?["psFormat"] as? String == "table {{.ID}}")
        #expect(try store.credential(forHost: "old:1") == RegistryCredential(username: "o", password: "p"))
        #expect(try store.credential(forHost: "new:2") == RegistryCredential(username: "carol", password: "pw"))
        let permissions = try FileManager.default.attributesOfItem(atPath: file.url.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "mode \(String(permissions ?? 0, radix: 8))")
        #expect(try store.remove(forHost: "new:2"))
        #expect(try store.credential(forHost: "new:2") == nil)
        #expect(try !store.remove(forHost: "new:2"))
    }

    @Test func credentialDescriptionsHideSecrets() {
        let text = "\(RegistryCredential(username: "dave", password: "hunter2", identityToken: "tok-9"))"
        #expect(!text.contains("hunter2") && !text.contains("tok-9"), "\(text)")
    }

    /// A helper that keeps credentials in a directory, one file per server, as the real ones
    /// keep them in a keychain.
    private func makeHelper(named name: String, in directory: TemporaryDirectory) throws -> String {
        let bin = directory.appending("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let vault = directory.appending("vault").path
        let script = """
            #!/bin/sh
            set -e
            mkdir -p \(vault)
            case "$1" in
            get) read -r server || true; key=$(printf %s "$server" | od -An -tx1 | tr -d ' \\n')
                 if [ -f "\(vault)/$key" ]; then cat "\(vault)/$key"; else echo "credentials not found in native keychain"; exit 1; fi ;;
            store) payload=$(cat); server=$(printf %s "$payload" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/')
                 key=$(printf %s "$server" | od -An -tx1 | tr -d ' \\n'); printf %s "$payload" > "\(vault)/$key" ;;
            erase) read -r server || true; key=$(printf %s "$server" | od -An -tx1 | tr -d ' \\n'); rm -f "\(vault)/$key" ;;
            *) exit 2 ;;
            esac
            """
        let path = bin.appendingPathComponent("docker-credential-\(name)").path
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return bin.path
    }

    @Test func credentialHelpersStoreGetAndErase() throws {
        let directory = try TemporaryDirectory()
        let bin = try makeHelper(named: "hoisttest", in: directory)
        let file = try write(#"{"credsStore":"hoisttest","credHelpers":{"special:1":"missing"}}"#, in: directory)
        let store = CredentialStore(configFile: file, environment: ["PATH": bin])
        #expect(try store.credential(forHost: "reg:5000") == nil)
        try store.store(RegistryCredential(username: "erin", password: "pw-1"), forHost: "reg:5000")
        #expect(try store.credential(forHost: "reg:5000") == RegistryCredential(username: "erin", password: "pw-1"))
        try store.store(RegistryCredential(username: "", password: "", identityToken: "refresh-2"), forHost: "tok:5000")
        #expect(try store.credential(forHost: "tok:5000")?.identityToken == "refresh-2")
        try store.remove(forHost: "reg:5000")
        #expect(try store.credential(forHost: "reg:5000") == nil)
        // The config file never receives what a helper keeps.
        let text = try String(contentsOf: file.url, encoding: .utf8)
        #expect(!text.contains("pw-1"), "\(text)")
        // credHelpers wins over credsStore; a helper that is not installed is a clear error.
        #expect {
            try store.credential(forHost: "special:1")
        } throws: { error in
            (error as? RegistryError)?.code == .notFound && "\(error)".contains("docker-credential-missing")
        }
    }
}
