import ArgumentParser
import Foundation
import Hoist

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a registry, keeping the credential where docker login keeps it.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: [.short, .long], help: "The user name.")
    var username: String

    @Option(name: [.short, .long], help: "The password (prefer --password-stdin: arguments are visible to other users).")
    var password: String?

    @Flag(name: .long, help: "Read the password from standard input.")
    var passwordStdin = false

    @Argument(help: "The registry (default: docker.io).")
    var server: String?

    func run() async throws {
        try await reportingErrors {
            let secret: String
            if passwordStdin {
                guard password == nil else { throw ValidationError("--password and --password-stdin are exclusive") }
                let input = FileHandle.standardInput.readDataToEndOfFile()
                secret = String(decoding: input, as: UTF8.self).trimmingCharacters(in: .newlines)
            } else if let password {
                secret = password
            } else {
                throw ValidationError("give the password with --password-stdin or --password")
            }
            try await global.client().login(registry: server, username: username, password: secret, configuration: registry.configuration)
            print("Login Succeeded")
        }
    }
}
