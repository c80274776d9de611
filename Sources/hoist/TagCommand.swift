import ArgumentParser
import Hoist

struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Give an image another name.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The image (name or ID).", completion: NameCompletion.images)
    var source: String

    @Argument(help: "The new name, e.g. localhost:5000/app:1.")
    var target: String

    func run() async throws {
        try await reportingErrors {
            try await global.client().tag(source, as: target)
        }
    }
}
