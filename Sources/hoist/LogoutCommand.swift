import ArgumentParser
import Foundation
import Hoist

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Forget the credential kept for a registry.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The registry (default: docker.io).")
    var server: String?

    func run() async throws {
        try await reportingErrors {
            let name = server ?? "docker.io"
            if try await global.client().logout(registry: server) {
                print("Removing login credentials for \(name)")
            } else {
                print("Not logged in to \(name)")
            }
        }
    }
}
