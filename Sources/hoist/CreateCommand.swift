import ArgumentParser
import Foundation
import Hoist

struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Make a container without starting it and print its ID (start it with `hoist start`).",
        // -h is the hostname, as in docker create.
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var container: ContainerOptions

    @Argument(help: "The image.")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        if container.tty || container.interactive {
            throw ValidationError("-i and -t need `hoist run`: a container started by `hoist start` has no terminal or input")
        }
    }

    func run() async throws {
        try await reportingErrors {
            print(try await global.client().containerBackend.createContainer(image, try container.runOptions(command: command)))
        }
    }
}
