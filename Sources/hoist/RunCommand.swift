import ArgumentParser
import Foundation
import Hoist

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new container; hoist exits with the container's exit code.",
        discussion: """
            The container is kept after it ends (see `hoist ps -a`, `hoist logs`, `hoist rm`) unless \
            --rm is given. With -d it runs in the background and its ID is printed.
            """,
        // -h is the hostname, as in docker run.
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Remove the container when it exits.")
    var rm = false

    @Flag(name: [.short, .customLong("detach")], help: "Run in the background and print the container's ID.")
    var detach = false

    @OptionGroup var container: ContainerOptions

    @Argument(help: "The image.")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        if detach && rm { throw ValidationError("-d and --rm cannot be combined: a detached container is kept") }
        if detach && (container.tty || container.interactive) {
            throw ValidationError("-d cannot be combined with -i or -t: a detached container has no terminal or input")
        }
        if rm && container.name != nil { throw ValidationError("--name names a kept container: leave out --rm") }
    }

    func run() async throws {
        let status = try await reportingErrors(status: containerFailureStatus) { () -> Int32 in
            let options = try container.runOptions(command: command)
            let client = try await global.client()
            await warnOfUnappliedLimits(options.memoryBytes != nil || options.cpus != nil || options.pidsLimit != nil, on: client)
            let backend = client.containerBackend
            let output: @Sendable (Data) -> Void = { FileHandle.standardOutput.write($0) }
            let error: @Sendable (Data) -> Void = { FileHandle.standardError.write($0) }
            if rm {
                return try await backend.run(image, options, standardOutput: output, standardError: error)
            }
            let id = try await backend.createContainer(image, options)
            if detach {
                do {
                    try await backend.startContainer(id)
                } catch {
                    // docker run -d leaves a container that failed to start; it is of no use here.
                    try? await backend.removeContainer(id, force: true)
                    throw error
                }
                print(id)
                return 0
            }
            return try await backend.runContainer(id, standardInput: options.standardInput, standardOutput: output, standardError: error)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
